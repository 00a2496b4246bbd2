// Package cmdutil is what every verb is handed: the streams, the tenant
// store, the configuration, the prompter and the clock, each made on first use.
package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
	"github.com/commercectl/commercectl/store/sqlstore"
	"github.com/spf13/viper"
)

// GlobalFlags are the flags every verb takes (SPEC §2).
type GlobalFlags struct {
	DB        string
	As        string
	Output    string
	JQ        string
	DryRun    bool
	Yes       bool
	Config    string
	NoHeaders bool
	outputSet bool
}

// Factory hands verbs what they need. Nothing is opened or read until a verb
// asks for it, so a read verb pays only for what it uses.
type Factory struct {
	IOStreams *output.IOStreams
	Flags     GlobalFlags
	// Getenv reads the environment; tests replace it.
	Getenv func(string) string
	// Preview heads the output of a --dry-run (Run arms it).
	Preview *Preview

	config *viper.Viper
	store  store.Service
	// initialized is set once init has created a tenant.
	initialized bool
	prompter    output.Prompter
	// asked is set once the verb asked for a missing argument (Pick, AskText).
	asked bool
	// newConfigOK: a --config FILE that does not exist is read as empty,
	// because the verb is about to write it (connect, disconnect).
	newConfigOK bool
}

// AnnotationWritesConfig marks the verbs that write the config file
// (connect, disconnect): a --config FILE that does not exist yet is theirs
// to create rather than a mistake.
const AnnotationWritesConfig = "commercectl/writes-config"

// AllowNewConfig lets a --config FILE that does not exist be read as empty.
func (f *Factory) AllowNewConfig() { f.newConfigOK = true }

// New returns a Factory over the given streams and the process environment.
func New(ios *output.IOStreams) *Factory {
	return &Factory{IOStreams: ios, Getenv: os.Getenv, Preview: &Preview{errOut: ios.ErrOut}}
}

// MarkOutputSet records that -o was given on the command line.
func (f *Factory) MarkOutputSet() { f.Flags.outputSet = true }

// ConfigPath is the config file: --config, else $XDG_CONFIG_HOME/commercectl/config.yaml.
func (f *Factory) ConfigPath() string {
	if f.Flags.Config != "" {
		return f.Flags.Config
	}
	dir := f.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "commercectl", "config.yaml")
}

// Config reads the config file once (when there is one) and binds the environment.
func (f *Factory) Config() (*viper.Viper, error) {
	if f.config != nil {
		return f.config, nil
	}
	v := viper.New()
	path := f.ConfigPath()
	v.SetConfigFile(path)
	v.SetConfigType("yaml")
	if st, err := os.Stat(path); err == nil {
		if st.IsDir() {
			return nil, store.Errorf(store.EINVALID, "config file %s is a directory, not a file", path)
		}
		if err := v.ReadInConfig(); err != nil {
			return nil, store.Errorf(store.EINVALID, "config file %s is not valid YAML: %s", path, OneLine(err.Error()))
		}
		if err := checkConfigTypes(path, v); err != nil {
			return nil, err
		}
		f.warnUnknownKeys(path, v)
	} else if f.Flags.Config != "" && !f.newConfigOK {
		return nil, store.Errorf(store.ENOTFOUND, "config file %s does not exist", path)
	}
	f.config = v
	return v, nil
}

// checkConfigTypes refuses a setting that holds a list or a map: read as
// text it would silently become "", and "db: [a, b]" would then mean the
// default tenant, "as: {x: 1}" no identity.
func checkConfigTypes(path string, v *viper.Viper) error {
	for _, key := range []string{"db", "as", "output"} {
		switch v.Get(key).(type) {
		case []any, map[string]any:
			return store.Errorf(store.EINVALID, "config file %s: %s must be a single value, not a list or a map", path, key)
		}
	}
	return nil
}

// warnUnknownKeys says on stderr which keys of the config file no setting
// reads (a typo such as "ouput" would otherwise be ignored in silence); the
// command goes on.
func (f *Factory) warnUnknownKeys(path string, v *viper.Viper) {
	known := map[string]bool{}
	var names []string
	for _, s := range settings {
		known[s.Key] = true
		names = append(names, s.Key)
	}
	for _, k := range v.AllKeys() {
		if !known[k] {
			fmt.Fprintf(f.IOStreams.ErrOut, "warning: config file %s: unknown key %s (the keys are %s)\n", path, strconv.Quote(k), strings.Join(names, ", "))
		}
	}
}

// Where a setting came from, as whoami tells it.
const (
	FromFlag    = "flag"
	FromEnv     = "environment"
	FromConfig  = "config"
	FromDefault = "default"
)

// A Setting is given by a flag, else the environment, else the config file.
type Setting struct {
	Key  string // in the config file
	Flag string
	Env  string
	flag func(*GlobalFlags) string
}

// The settings of SPEC §2.
var (
	SettingDB     = Setting{"db", "--db", "COMMERCECTL_DB", func(g *GlobalFlags) string { return g.DB }}
	SettingAs     = Setting{"as", "--as", "COMMERCECTL_AS", func(g *GlobalFlags) string { return g.As }}
	SettingOutput = Setting{"output", "-o", "COMMERCECTL_OUTPUT", func(g *GlobalFlags) string { return g.Output }}
	// The SMTP relay of send-notifications (SPEC §12): flags of that verb.
	SettingSMTPURL  = Setting{"smtp.url", "--smtp", "COMMERCECTL_SMTP_URL", nil}
	SettingSMTPFrom = Setting{"smtp.from", "--from", "COMMERCECTL_SMTP_FROM", nil}
)

// settings are every key the config file may hold.
var settings = []Setting{SettingDB, SettingAs, SettingOutput, SettingSMTPURL, SettingSMTPFrom}

// VerbSetting resolves a setting whose flag is a verb's own: flag (its
// value as given), then environment, then config file.
func (f *Factory) VerbSetting(s Setting, flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	return f.setting(s)
}

// lookup resolves a setting and tells where it came from: FromFlag,
// FromEnv, FromConfig, or FromDefault when none gives it.
func (f *Factory) lookup(s Setting) (value, from string, err error) {
	if s.flag != nil {
		if v := s.flag(&f.Flags); v != "" {
			return v, FromFlag, nil
		}
	}
	if v := f.Getenv(s.Env); v != "" {
		return v, FromEnv, nil
	}
	cfg, err := f.Config()
	if err != nil {
		return "", "", err
	}
	if v := cfg.GetString(s.Key); v != "" {
		return v, FromConfig, nil
	}
	return "", FromDefault, nil
}

// SettingSource tells where a setting comes from (whoami).
func (f *Factory) SettingSource(s Setting) (string, error) {
	_, from, err := f.lookup(s)
	return from, err
}

// setting resolves a setting: flag, then environment, then config file.
func (f *Factory) setting(s Setting) (string, error) {
	v, _, err := f.lookup(s)
	return v, err
}

// DBPath is the tenant database: --db, COMMERCECTL_DB, config "db", else
// $XDG_DATA_HOME/commercectl/tenant.db.
func (f *Factory) DBPath() (string, error) {
	p, err := f.setting(SettingDB)
	if err != nil || p != "" {
		return p, err
	}
	dir := f.Getenv("XDG_DATA_HOME")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(dir, "commercectl", "tenant.db"), nil
}

// Actor is who runs the command: --as, COMMERCECTL_AS, config "as".
func (f *Factory) Actor() (string, error) {
	return f.setting(SettingAs)
}

// OutputFormat is -o, COMMERCECTL_OUTPUT, config "output", else table.
func (f *Factory) OutputFormat() (string, error) {
	o, err := f.setting(SettingOutput)
	if err != nil {
		return "", err
	}
	if o == "" {
		if f.Flags.JQ != "" {
			return output.FormatJSON, nil
		}
		return output.FormatTable, nil
	}
	o = strings.ToLower(o)
	for _, known := range output.Formats {
		if o == known {
			if f.Flags.JQ != "" && o != output.FormatJSON {
				if f.Flags.outputSet {
					return "", Usagef("--jq works with -o json, not -o %s", o)
				}
				return output.FormatJSON, nil
			}
			return o, nil
		}
	}
	return "", Usagef("unknown output format %q: use one of %s", o, strings.Join(output.Formats, ", "))
}

// Printer prints in the chosen format on stdout. Interactive mode prints
// tables, since its questions go to stderr.
func (f *Factory) Printer() (*output.Printer, error) {
	format, err := f.OutputFormat()
	if err != nil {
		return nil, err
	}
	if format == output.FormatInteractive {
		format = output.FormatTable
	}
	var aside io.Writer // what a table left out is said to a person only
	if f.IOStreams.IsStderrTTY() {
		aside = f.IOStreams.ErrOut
	}
	return &output.Printer{Format: format, JQ: f.Flags.JQ, Out: f.IOStreams.Out, NoHeaders: f.Flags.NoHeaders,
		Width: f.IOStreams.TerminalWidth(f.Getenv), Empty: f.IOStreams.ErrOut, Aside: aside}, nil
}

// Interactive reports whether -o interactive was asked for; without a
// terminal that is a usage error.
func (f *Factory) Interactive() (bool, error) {
	format, err := f.OutputFormat()
	if err != nil || format != output.FormatInteractive {
		return false, err
	}
	if !f.IOStreams.CanPrompt() {
		return false, Usagef("-o interactive needs a terminal")
	}
	return true, nil
}

// The times COMMERCECTL_NOW may name. Every date the tool works out from
// "now" (a term of up to 60 months, the 120 days a subscription stays
// Expired then Disabled, a retention of up to 365 days back) must keep the
// four-digit year that RFC 3339 and the stored, text-sorted times hold: a
// year 10000 would be stored as a time no one can read back.
var (
	minNow = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	maxNow = time.Date(9000, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Now is COMMERCECTL_NOW when set, else the wall clock.
func (f *Factory) Now() (time.Time, error) {
	if s := f.Getenv("COMMERCECTL_NOW"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return time.Time{}, Usagef("COMMERCECTL_NOW must be an RFC 3339 time such as 2026-11-21T09:00:00Z, not %s", store.QuoteShort(s))
		}
		if t = t.UTC(); t.Before(minNow) || !t.Before(maxNow) {
			return time.Time{}, Usagef("COMMERCECTL_NOW must be between %s and %s, not %s",
				minNow.Format(time.DateOnly), maxNow.Format(time.DateOnly), store.QuoteShort(s))
		}
		return t.Truncate(time.Second), nil
	}
	return time.Now().UTC().Truncate(time.Second), nil
}

// Context carries who runs the verb, the time and --dry-run to the store.
func (f *Factory) Context() (context.Context, error) {
	ctx := context.Background()
	now, err := f.Now()
	if err != nil {
		return nil, err
	}
	ctx = store.WithNow(ctx, now)
	actor, err := f.Actor()
	if err != nil {
		return nil, err
	}
	if actor != "" {
		ctx = store.WithActor(ctx, actor)
	}
	if f.Flags.DryRun {
		ctx = store.WithDryRun(ctx)
	}
	return ctx, nil
}

// Store opens the tenant database on first use.
func (f *Factory) Store() (store.Service, error) {
	if f.store != nil {
		return f.store, nil
	}
	path, err := f.DBPath()
	if err != nil {
		return nil, err
	}
	s, err := sqlstore.Open(path)
	if err != nil {
		return nil, err
	}
	f.store = s
	return s, nil
}

// InitTenant creates the tenant database.
func (f *Factory) InitTenant(ctx context.Context, opts store.InitOptions, force bool) (*store.InitResult, error) {
	path, err := f.DBPath()
	if err != nil {
		return nil, err
	}
	res, err := sqlstore.Init(ctx, path, opts, force)
	f.initialized = err == nil && !store.IsDryRun(ctx)
	return res, err
}

// Changed reports whether the verb has committed a change to the tenant.
func (f *Factory) Changed() bool {
	return f.initialized || f.store != nil && f.store.Changed()
}

// Close releases the store.
func (f *Factory) Close() {
	if f.store != nil {
		f.store.Close()
	}
}

// Prompter asks questions on the terminal.
func (f *Factory) Prompter() output.Prompter {
	if f.prompter == nil {
		f.prompter = output.NewSurveyPrompter(f.IOStreams.In, f.IOStreams.ErrOut)
	}
	return f.prompter
}

// SetPrompter replaces the prompter (tests use a fake one).
func (f *Factory) SetPrompter(p output.Prompter) { f.prompter = p }

// SaveConnection writes the identity and database to the config file, as
// Connect-MSCommerce remembers a session; empty values are removed.
func (f *Factory) SaveConnection(as, db string) (string, error) {
	cfg, err := f.Config()
	if err != nil {
		return "", err
	}
	path := f.ConfigPath()
	settings := cfg.AllSettings()
	for k, v := range map[string]string{"as": as, "db": db} {
		if v == "" {
			delete(settings, k)
		} else {
			settings[k] = v
		}
	}
	nv := viper.New()
	nv.SetConfigType("yaml")
	for k, v := range settings {
		nv.Set(k, v)
	}
	if f.Flags.DryRun {
		return path, nil // what would be written, and where: nothing is
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", store.Errorf(store.EINVALID, "cannot create %s: %v", filepath.Dir(path), err)
	}
	// The temporary file ends in .yaml: viper picks the format from the extension.
	tmp := path + ".tmp.yaml"
	if err := nv.WriteConfigAs(tmp); err != nil {
		return "", store.Errorf(store.EINTERNAL, "cannot write %s: %v", path, err)
	}
	// The file may hold a database password: only its owner reads it.
	if err := os.Chmod(tmp, 0o600); err != nil {
		os.Remove(tmp)
		return "", store.Errorf(store.EINTERNAL, "cannot write %s: %v", path, errors.Unwrap(err))
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return "", store.Errorf(store.EINTERNAL, "cannot write %s: %v", path, errors.Unwrap(err))
	}
	f.config = nil
	return path, nil
}

// Setup is what nearly every verb needs, in the order that reports a bad
// -o before an unreadable database: the printer, the store, and the
// operation's context.
func (f *Factory) Setup() (*output.Printer, store.Service, context.Context, error) {
	p, err := f.Printer()
	if err != nil {
		return nil, nil, nil, err
	}
	s, err := f.Store()
	if err != nil {
		return nil, nil, nil, err
	}
	ctx, err := f.Context()
	if err != nil {
		return nil, nil, nil, err
	}
	return p, s, ctx, nil
}
