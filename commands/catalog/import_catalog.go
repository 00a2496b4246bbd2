// Package catalog holds the catalog verbs.
package catalog

import (
	"fmt"
	"strconv"

	"github.com/commercectl/commercectl/cmd/cmdutil"
	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/spf13/cobra"
)

// ImportCatalogOptions are the inputs of import-catalog.
type ImportCatalogOptions struct {
	Factory *cmdutil.Factory
	File    string
}

// NewCmdImportCatalog builds import-catalog.
func NewCmdImportCatalog(f *cmdutil.Factory, runF func(*ImportCatalogOptions) error) *cobra.Command {
	opts := &ImportCatalogOptions{Factory: f}
	return &cobra.Command{
		Use:   "import-catalog FILE.csv",
		Short: "Read Microsoft's licensing CSV: service plans of known products, new products",
		Long: `Read Microsoft's "Product names and service plan identifiers for
licensing" CSV exactly as it is distributed (CRLF, and some rows in
Windows-1252 rather than UTF-8, which are decoded as such). Products whose
SKU the tenant knows get the file's service plans; SKUs it does not know are
added as products (their id is the SKU's String_Id in upper case) with the
policy's default value (see update-policy --default). Tabs and line breaks
in a name become spaces. One transaction: a bad row refuses the whole file
with its line number. GlobalAdmin or BillingAdmin. A terminal shows how much
of the file is read.`,
		Example: `  commercectl import-catalog product-names-and-service-plan-identifiers.csv`,
		Args:    cmdutil.MaxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.File, err = cmdutil.TypedArg(f, cmd, args, "a CSV file", "Which CSV file (Microsoft's licensing catalog)?"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return importCatalogRun(opts)
		},
	}
}

var columns = []output.Column[store.CatalogImportResult]{
	{Header: "File", Field: "file", Get: func(r store.CatalogImportResult) string { return r.File }},
	{Header: "Rows", Field: "rows", Get: func(r store.CatalogImportResult) string { return strconv.Itoa(r.Rows) }},
	{Header: "SKUs", Field: "products", Get: func(r store.CatalogImportResult) string { return strconv.Itoa(r.Products) }},
	{Header: "Products added", Field: "productsAdded", Get: func(r store.CatalogImportResult) string { return strconv.Itoa(r.ProductsAdded) }},
	{Header: "Products updated", Field: "productsUpdated", Get: func(r store.CatalogImportResult) string { return strconv.Itoa(r.ProductsUpdated) }},
	{Header: "Service plans", Field: "servicePlans", Get: func(r store.CatalogImportResult) string { return strconv.Itoa(r.ServicePlans) }},
	{Header: "Rows read as Windows-1252", Field: "recodedRows", Get: func(r store.CatalogImportResult) string { return strconv.Itoa(r.Recoded) }},
	{Header: "Policy for new products", Field: "defaultValue", Get: func(r store.CatalogImportResult) string { return r.DefaultValue }},
}

func importCatalogRun(opts *ImportCatalogOptions) error {
	f := opts.Factory
	p, err := f.Printer()
	if err != nil {
		return err
	}
	in, err := cmdutil.OpenInput(f, opts.File)
	if err != nil {
		return err
	}
	defer in.Close()
	// A typed file name is confirmed before the catalog takes it in.
	if err := cmdutil.ConfirmAsked(f, fmt.Sprintf("Import the catalog of %s?", opts.File)); err != nil {
		return err
	}
	in, done := cmdutil.WatchInput(f, in, "Reading "+opts.File)
	s, err := f.Store()
	if err != nil {
		return err
	}
	ctx, err := f.Context()
	if err != nil {
		return err
	}
	res, err := s.ImportCatalog(ctx, opts.File, in)
	done()
	if err != nil {
		return err
	}
	defer f.DryRunNote()
	f.Note("Imported %d SKUs from %s: %d added, %d updated", res.Products, opts.File, res.ProductsAdded, res.ProductsUpdated)
	return output.One(p, *res, columns)
}
