// Package audit holds the audit log verb.
package audit

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// GetAuditLogOptions are the inputs of get-audit-log.
type GetAuditLogOptions struct {
	Factory *cmdutil.Factory
	Since   string
	Actor   string
}

// NewCmdGetAuditLog builds get-audit-log.
func NewCmdGetAuditLog(f *cmdutil.Factory, runF func(*GetAuditLogOptions) error) *cobra.Command {
	opts := &GetAuditLogOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "get-audit-log [--since TIME] [--actor UPN]",
		Short: "List every change: when, who, what, before and after",
		Long: `List the audit log, oldest first. --since takes an RFC 3339 time
(2026-11-01T00:00:00Z), a date (2026-11-01) or a duration back from now (24h, 7d).`,
		Example: `  commercectl get-audit-log --since 24h --actor admin@contoso.com`,
		Args:    cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return getAuditLogRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Since, "since", "", "only changes at or after this time, date or duration ago")
	cmd.Flags().StringVar(&opts.Actor, "actor", "", "only changes made by this UPN")
	return cmd
}

// ParseSince reads an RFC 3339 time, a date, or a duration back from now.
func ParseSince(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 {
			return now.AddDate(0, 0, -n), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, cmdutil.Usagef("--since %q is not a time (2026-11-01T09:00:00Z), a date (2026-11-01) or a duration (24h, 7d)", s)
}

func jsonText(v any) string {
	if v == nil {
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

var auditColumns = []output.Column[store.AuditEntry]{
	{Header: "ID", Field: "id", Get: func(e store.AuditEntry) string { return strconv.FormatInt(e.ID, 10) }},
	{Header: "At", Field: "at", Summary: true, Whole: true, Get: func(e store.AuditEntry) string { return e.At.Format(time.RFC3339) }},
	{Header: "Actor", Field: "actor", Summary: true, Spare: 1, Get: func(e store.AuditEntry) string { return e.Actor }},
	{Header: "Action", Field: "action", Summary: true, Get: func(e store.AuditEntry) string { return e.Action }},
	{Header: "Target", Field: "target", Summary: true, Whole: true, Get: func(e store.AuditEntry) string { return e.Target }},
	{Header: "Before", Field: "before", Get: func(e store.AuditEntry) string { return jsonText(e.Before) }},
	{Header: "After", Field: "after", Get: func(e store.AuditEntry) string { return jsonText(e.After) }},
}

func getAuditLogRun(opts *GetAuditLogOptions) error {
	f := opts.Factory
	p, err := f.Printer()
	if err != nil {
		return err
	}
	var filter store.AuditFilter
	filter.Actor = opts.Actor
	if opts.Since != "" {
		now, err := f.Now()
		if err != nil {
			return err
		}
		if filter.Since, err = ParseSince(opts.Since, now); err != nil {
			return err
		}
	}
	s, err := f.Store()
	if err != nil {
		return err
	}
	ctx, err := f.Context()
	if err != nil {
		return err
	}
	entries, err := s.ListAudit(ctx, filter)
	if err != nil {
		return err
	}
	return output.List(p, entries, auditColumns)
}
