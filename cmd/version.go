package cmd

import (
	"runtime"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/spf13/cobra"
)

// versionInfo is what commercectl version prints.
type versionInfo struct {
	Version  string `json:"version"`
	Go       string `json:"go"`
	Platform string `json:"platform"`
}

var versionColumns = []output.Column[versionInfo]{
	{Header: "Version", Field: "version", Get: func(v versionInfo) string { return v.Version }},
	{Header: "Go", Field: "go", Get: func(v versionInfo) string { return v.Go }},
	{Header: "Platform", Field: "platform", Get: func(v versionInfo) string { return v.Platform }},
}

// newCmdVersion builds version: the build's version, as --version prints
// it, and in every output format.
func newCmdVersion(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Show commercectl's version, the Go it was built with and the platform",
		Example: "  commercectl version\n  commercectl version -o json --jq .version",
		Args:    cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := f.Printer()
			if err != nil {
				return err
			}
			return output.One(p, versionInfo{Version: Version, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}, versionColumns)
		},
	}
}
