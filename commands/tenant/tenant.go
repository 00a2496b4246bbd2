// Package tenant holds the verbs that create a tenant and remember who uses it.
package tenant

import (
	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/spf13/cobra"
)

// Commands returns the tenant verbs.
func Commands(f *cmdutil.Factory) []*cobra.Command {
	return []*cobra.Command{NewCmdInit(f, nil), NewCmdConnect(f, nil), NewCmdDisconnect(f, nil)}
}
