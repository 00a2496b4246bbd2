package main

import (
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/commercectl/commercectl/cmd"
	"github.com/commercectl/commercectl/internal/pgtest"
	"github.com/commercectl/commercectl/store/sqlstore"
	"github.com/rogpeppe/go-internal/testscript"
	_ "modernc.org/sqlite"
)

// TestMain lets the scripts run the real commercectl as a command.
func TestMain(m *testing.M) {
	testscript.Main(binTestingM{m}, testCommands)
}

// testCommands are the commands the test binary also is, on $PATH for
// the scripts and the tests alike.
var testCommands = map[string]func(){
	"commercectl": func() { os.Exit(cmd.Main()) },
}

// TestScripts runs the end-to-end scripts in testdata/script.
//
// Each script starts with its own HOME, config and data directories, no
// identity and no database, and a fixed COMMERCECTL_NOW so that dates in
// golden files do not move. Extra commands:
//
// $TESTDATA is the absolute path of testdata/, for fixtures kept as files.
//
//	dbdump [-rows] DB FILE
//	                 write the schema version (not with -rows) and every row
//	                 of every table of DB to FILE, sorted, so "cmp before
//	                 after" proves a command changed nothing
//
// Every script runs twice, once on each engine: $DB and $DB2 are two empty
// tenants, files in $WORK on SQLite, fresh databases on the throwaway
// PostgreSQL server (internal/pgtest). The conditions [sqlite] and
// [postgres] tell which engine a script runs on.
func TestScripts(t *testing.T) {
	for _, eng := range []string{"sqlite", "postgres"} {
		t.Run(eng, func(t *testing.T) {
			if eng == "postgres" {
				pgtest.URL(t)
			}
			runScripts(t, eng)
		})
	}
}

func runScripts(t *testing.T, eng string) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		UpdateScripts:       os.Getenv("UPDATE_GOLDEN") != "",
		Setup: func(e *testscript.Env) error {
			e.Setenv("HOME", e.WorkDir)
			e.Setenv("XDG_CONFIG_HOME", e.WorkDir+"/.config")
			e.Setenv("XDG_DATA_HOME", e.WorkDir+"/.local/share")
			e.Setenv("COMMERCECTL_NOW", "2026-11-21T09:00:00Z")
			e.Setenv("NO_COLOR", "1")
			// Fixtures too big or too byte-exact for a txtar (Microsoft's
			// catalog CSV with its CRLF and Windows-1252 rows) live here.
			testdata, err := filepath.Abs("testdata")
			if err != nil {
				return err
			}
			e.Setenv("TESTDATA", testdata)
			for _, name := range []string{"DB", "DB2"} {
				if eng == "sqlite" {
					e.Setenv(name, filepath.Join(e.WorkDir, strings.ToLower(name)+".db"))
				} else {
					e.Setenv(name, pgtest.NewDatabase(e.T().(testing.TB)))
				}
			}
			e.Values["testing.T"] = e.T().(testing.TB)
			e.Setenv("DB_NOBODY", e.Getenv("DB"))
			e.Setenv("ENGINE", map[string]string{"sqlite": "SQLite", "postgres": "PostgreSQL"}[eng])
			e.Setenv("DB_SHOWN", e.Getenv("DB"))
			if eng == "postgres" {
				e.Setenv("DB_SHOWN", sqlstore.RedactURL(e.Getenv("DB")))
				// The test server trusts every local login, so a password
				// can be given and must never be shown.
				u, err := url.Parse(e.Getenv("DB"))
				if err != nil {
					return err
				}
				u.User = url.UserPassword(u.User.Username(), "s3cret-Pw")
				e.Setenv("DB_PASSWORD_URL", u.String())
				e.Setenv("DB_PASSWORD_SHOWN", sqlstore.RedactURL(u.String()))
				e.Setenv("DB_MISSING", pgtest.WithDatabase(e.Getenv("DB"), "no_such_database"))
				// What joins one more parameter to the URLs of the server:
				// $DB2${AND}search_path=NAME.
				e.Setenv("AND", "?")
				if strings.Contains(e.Getenv("DB2"), "?") {
					e.Setenv("AND", "&")
				}
				// A superuser bound to nobody: the server's word for "no
				// identity" (init binds its admin to the login that ran it).
				e.Setenv("DB_NOBODY", pgtest.Login(e.T().(testing.TB), e.Getenv("DB"), "commercectl_test_nobody", "SUPERUSER"))
			}
			return nil
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "root":
				return os.Geteuid() == 0, nil
			case "calc":
				return haveCalc()
			case "sqlite", "postgres":
				return cond == eng, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"calc":           cmdCalc,
			"dbdump":         cmdDBDump,
			"pglogin":        cmdPGLogin,
			"smtpd":          cmdSMTPD,
			"smtpd-received": cmdSMTPReceived,
		},
	})
}

// cmdPGLogin creates a login of the server for the script: pglogin NAME
// makes the login ${DBNAME}_NAME (unique on the shared test server) and
// sets LOGIN_NAME to its name and DB_NAME, DB2_NAME to $DB, $DB2 logging in
// as it, DBNAME to $DB's database and DBUSER to its login (a superuser). It also sets ROLE_<group> to each group role of the tenant in $DB
// (ROLE_owner, ROLE_GlobalAdmin, ...), once init has made them.
func cmdPGLogin(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: pglogin NAME")
	}
	db := ts.Getenv("DB")
	if !sqlstore.IsURL(db) {
		ts.Fatalf("pglogin needs a PostgreSQL $DB")
	}
	u, err := url.Parse(db)
	ts.Check(err)
	login := strings.TrimPrefix(u.Path, "/") + "_" + args[0]
	t := ts.Value("testing.T").(testing.TB)
	ts.Setenv("DBNAME", strings.TrimPrefix(u.Path, "/"))
	ts.Setenv("DBUSER", u.User.Username())
	ts.Setenv("LOGIN_"+args[0], login)
	ts.Setenv("DB_"+args[0], pgtest.Login(t, db, login, ""))
	ts.Setenv("DB2_"+args[0], pgtest.WithUser(ts.Getenv("DB2"), login))
	conn, err := sql.Open("pgx", db)
	ts.Check(err)
	defer conn.Close()
	rows, err := conn.Query(`SELECT role, pg_role FROM commercectl_roles`)
	if err != nil {
		return // no tenant yet
	}
	defer rows.Close()
	for rows.Next() {
		var role, name string
		ts.Check(rows.Scan(&role, &name))
		ts.Setenv("ROLE_"+role, name)
	}
	ts.Check(rows.Err())
}

func cmdDBDump(ts *testscript.TestScript, neg bool, args []string) {
	rowsOnly := len(args) > 0 && args[0] == "-rows"
	if rowsOnly {
		args = args[1:]
	}
	if neg || len(args) != 2 {
		ts.Fatalf("usage: dbdump [-rows] DB FILE")
	}
	db := args[0]
	if !sqlstore.IsURL(db) {
		db = ts.MkAbs(db)
	}
	dump, err := dumpDB(db)
	ts.Check(err)
	if rowsOnly {
		// The schema version and the server's logins are each engine's
		// own: only the tenant's rows compare.
		dump = tenantRows(dump)
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(dump), 0o644))
}

// serverOnlyTables exist only in a tenant on a server: its logins, its
// group roles and the writers' lock.
var serverOnlyTables = []string{"commercectl_lock", "commercectl_logins", "commercectl_roles"}

// tenantRows is a dump without its schema version and server-only tables,
// the part that compares equal across engines.
func tenantRows(dump string) string {
	_, dump, _ = strings.Cut(dump, "\n")
	for _, table := range serverOnlyTables {
		start := strings.Index(dump, "== "+table+" (")
		if start < 0 {
			continue
		}
		end := strings.Index(dump[start+3:], "\n== ")
		if end < 0 {
			dump = dump[:start]
		} else {
			dump = dump[:start] + dump[start+3+end+1:]
		}
	}
	return dump
}

// dumpDB renders every row of every table, read-only, in a stable order.
func dumpDB(dsn string) (string, error) {
	driver, source := "sqlite", "file:"+dsn+"?mode=ro"
	tableQuery := `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
	version := `PRAGMA user_version`
	if sqlstore.IsURL(dsn) {
		driver, source = "pgx", dsn
		tableQuery = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		return "", err
	}
	defer db.Close()
	rows, err := db.Query(tableQuery)
	if err != nil {
		return "", err
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return "", err
		}
		tables = append(tables, name)
	}
	rows.Close()
	var out strings.Builder
	var schema int
	if driver == "pgx" {
		// The version is a table on PostgreSQL, there only once init ran.
		version = `SELECT 0`
		for i, name := range tables {
			if name == "commercectl_schema" {
				version = `SELECT version FROM commercectl_schema`
				tables = append(tables[:i:i], tables[i+1:]...)
				break
			}
		}
	}
	if err := db.QueryRow(version).Scan(&schema); err != nil {
		return "", err
	}
	fmt.Fprintf(&out, "user_version %d\n", schema)
	for _, table := range tables {
		rows, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			return "", err
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return "", err
			}
			cells := make([]string, len(vals))
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				cells[i] = fmt.Sprintf("%v", v)
			}
			lines = append(lines, strings.Join(cells, "|"))
		}
		rows.Close()
		sort.Strings(lines)
		fmt.Fprintf(&out, "== %s (%d rows)\n%s\n", table, len(lines), strings.Join(lines, "\n"))
	}
	return out.String(), nil
}
