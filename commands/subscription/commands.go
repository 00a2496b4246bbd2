package subscription

import (
	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/spf13/cobra"
)

// Commands returns the subscription verbs.
func Commands(f *cmdutil.Factory) []*cobra.Command {
	return []*cobra.Command{
		NewCmdListSubscriptions(f, nil),
		NewCmdGetSubscription(f, nil),
		NewCmdAddSubscription(f, nil),
		NewCmdBuyLicenses(f, nil),
		NewCmdCancelSubscription(f, nil),
	}
}
