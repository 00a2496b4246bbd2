package user

import (
	"context"
	"fmt"
	"slices"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// SetRoleOptions are the inputs of set-role.
type SetRoleOptions struct {
	Factory *cmdutil.Factory
	UPN     string
	Role    string
	Remove  bool
}

// NewCmdSetRole builds set-role.
func NewCmdSetRole(f *cmdutil.Factory, runF func(*SetRoleOptions) error) *cobra.Command {
	opts := &SetRoleOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "set-role UPN ROLE [--remove]",
		Short: "Give a user a role, or take it away with --remove",
		Example: `  commercectl set-role megan.bowen@contoso.com BillingAdmin
  commercectl set-role megan.bowen@contoso.com BillingAdmin --remove`,
		Args: cmdutil.MaxArgs(2),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			switch len(args) {
			case 0:
				return cmdutil.Complete(f, store.CompleteUsers)(cmd, args, toComplete)
			case 1:
				return completeRoles(cmd, args, toComplete)
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			who := "Give a role to whom?"
			if opts.Remove {
				who = "Take a role away from whom?"
			}
			var judge cmdutil.Judge
			if opts.Remove {
				judge = removable
			}
			if opts.UPN, err = cmdutil.UserArg(f, cmd, args, "a UPN and a role", who, judge); err != nil {
				return err
			}
			if len(args) == 2 {
				opts.Role = args[1]
			} else if opts.Role, err = pickRole(f, cmd, opts); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return setRoleRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Remove, "remove", false, "take the role away")
	return cmd
}

func setRoleRun(opts *SetRoleOptions) error {
	f := opts.Factory
	p, s, ctx, err := f.Setup()
	if err != nil {
		return err
	}
	if opts.Remove {
		err := cmdutil.Rehearse(f, ctx, func(ctx context.Context) (string, error) {
			_, err := s.SetRole(ctx, opts.UPN, opts.Role, true)
			return fmt.Sprintf("Take the role %s away from %s?", opts.Role, opts.UPN), err
		})
		if err != nil {
			return err
		}
	} else if err := cmdutil.PlanAsked(f, ctx, func(ctx context.Context) (string, error) {
		_, err := s.SetRole(ctx, opts.UPN, opts.Role, false)
		return fmt.Sprintf("Give %s the role %s?", opts.UPN, opts.Role), err
	}); err != nil {
		return err
	}
	// Whether the role was held before: a grant of a role held, or the
	// removal of one not held, changes nothing, and says so.
	role, _ := store.CanonicalRole(opts.Role)
	before, lookupErr := s.LookupUser(ctx, opts.UPN)
	u, err := s.SetRole(ctx, opts.UPN, opts.Role, opts.Remove)
	if err != nil {
		return err
	}
	defer f.DryRunNote()
	unchanged := lookupErr == nil && slices.Contains(before.Roles, role) != opts.Remove
	switch {
	case unchanged:
	case opts.Remove:
		f.Note("Took the role %s away from %s", role, u.UPN)
	default:
		f.Note("Gave %s the role %s", u.UPN, role)
	}
	if err := output.One(p, *u, userColumns); err != nil {
		return err // the one line a failed output is
	}
	if unchanged {
		fmt.Fprintf(f.IOStreams.ErrOut, "%s %s the role %s: unchanged\n", u.UPN, map[bool]string{false: "already has", true: "does not have"}[opts.Remove], role)
	}
	return nil
}

// removable offers, for set-role --remove, the users who hold a role, and
// shows as refused one whose every role the store would keep (the last
// GlobalAdmin's), with its reason: each removal is rehearsed.
func removable(ctx context.Context, s store.Service, u store.User) (bool, string, string, error) {
	if len(u.Roles) == 0 {
		return false, "", "", nil
	}
	var why, fix string
	for _, r := range u.Roles {
		w, f, err := cmdutil.Refusal(ctx, func(ctx context.Context) error {
			_, err := s.SetRole(ctx, u.UPN, r, true)
			return err
		})
		if err != nil || w == "" {
			return true, "", "", err
		}
		if why == "" {
			why, fix = w, f
		}
	}
	return true, why, fix, nil
}

// pickRole asks, in a terminal, which role to give (one the user lacks) or
// with --remove to take away (one the user holds). Taking one away is
// rehearsed: the last GlobalAdmin's is shown with the store's reason.
func pickRole(f *cmdutil.Factory, cmd *cobra.Command, opts *SetRoleOptions) (string, error) {
	if !f.IOStreams.CanPrompt() {
		return "", cmdutil.ExactArgs(2, "a UPN and a role")(cmd, []string{opts.UPN})
	}
	p := cmdutil.Picking{Question: "Give " + opts.UPN + " which role?", None: opts.UPN + " already holds every role"}
	if opts.Remove {
		p = cmdutil.Picking{Question: "Take which role away from " + opts.UPN + "?", None: opts.UPN + " holds no role to take away"}
	}
	return cmdutil.Pick(f, p, func(ctx context.Context, s store.Service) ([]cmdutil.Choice, error) {
		u, err := s.LookupUser(ctx, opts.UPN)
		if err != nil {
			return nil, err
		}
		roles := slices.Clone(store.Roles)
		if !opts.Remove {
			slices.Reverse(roles) // the least a role can do, first
		}
		var out []cmdutil.Choice
		for _, r := range roles {
			if slices.Contains(u.Roles, r) != opts.Remove {
				continue
			}
			c := cmdutil.Choice{Value: r, Label: r}
			if opts.Remove {
				if c.Why, c.Fix, err = cmdutil.Refusal(ctx, func(ctx context.Context) error {
					_, err := s.SetRole(ctx, opts.UPN, r, true)
					return err
				}); err != nil {
					return nil, err
				}
			}
			out = append(out, c)
		}
		return out, nil
	})
}
