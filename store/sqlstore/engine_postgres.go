package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/commercectl/commercectl/store"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// postgresEngine keeps a tenant on a PostgreSQL server (or one that speaks
// its protocol: see docs/DESIGN.md on CockroachDB). Writes run SERIALIZABLE
// and are retried whole when the server aborts one (40001, 40P01); reads
// run REPEATABLE READ, READ ONLY: one snapshot, never a lock.
type postgresEngine struct {
	// addr is host:port of the server, user and database the login: what
	// a connection error names.
	addr, user, database string
	// empty is set for init and copy-tenant, which write a database that
	// holds no tenant yet: there is no table to queue on.
	empty bool
}

// SQLSTATEs the engine acts on (https://www.postgresql.org/docs/15/errcodes-appendix.html).
const (
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
	pgReadOnlyTransaction  = "25006"
	pgInsufficientPriv     = "42501"
	pgInvalidPassword      = "28P01"
	pgInvalidAuthorization = "28000"
	pgInvalidCatalogName   = "3D000"
	pgDiskFull             = "53100"
	pgTooManyConnections   = "53300"
	pgQueryCanceled        = "57014"
	pgLockNotAvailable     = "55P03"
	pgUniqueViolation      = "23505"
	pgUndefinedTable       = "42P01"
)

// RedactURL shows a PostgreSQL URL with its password, in the user part or
// in a password= parameter, as xxxxx. Anything that cannot be parsed is
// shown as no more than its scheme.
func RedactURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		scheme, _, _ := strings.Cut(dsn, "://")
		return scheme + "://xxxxx"
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// openPostgres connects to the tenant at dsn and brings its schema up to date.
func openPostgres(dsn string) (*DB, error) {
	d, err := connectPostgres(dsn)
	if err != nil {
		return nil, err
	}
	if err := d.checkSchema(false); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// connectPostgres makes the pool. It honours libpq's conventions: PGHOST,
// PGPORT, PGUSER, PGPASSWORD, PGSERVICE, ~/.pgpass and sslmode up to
// verify-full, as pgx reads them. No connection is made until the first
// statement.
func connectPostgres(dsn string) (*DB, error) {
	where := RedactURL(dsn)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message may quote the URL, password and all: it is not shown.
		return nil, store.Errorf(store.EINVALID, "%s is not a PostgreSQL URL that can be used", where).
			WithHint("use postgres://USER@HOST:PORT/DATABASE?sslmode=verify-full")
	}
	if err := checkStartup(where, cfg); err != nil {
		return nil, err
	}
	eng := postgresEngine{addr: net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))), user: cfg.User, database: cfg.Database}
	if strings.HasPrefix(cfg.Host, "/") {
		eng.addr = fmt.Sprintf("%s/.s.PGSQL.%d", cfg.Host, cfg.Port)
	}
	// The wait for the write lock (beginWrite) is bounded for the session,
	// unless the URL bounds it itself: no statement per write for it.
	if _, ok := cfg.RuntimeParams["lock_timeout"]; !ok {
		cfg.RuntimeParams["lock_timeout"] = writeLockWait
	}
	// Names resolve in the tenant's schema, never in one a login made for
	// the purpose: the default search path starts with "$user", a schema
	// any login that may create schemas (a database's owner) could name
	// after a superuser, to plant tables there that commercectl would read
	// (a fake commercectl_roles) when that superuser runs it.
	if cfg.RuntimeParams["search_path"] == "" {
		cfg.RuntimeParams["search_path"] = "public"
	}
	// A command is one short process: a statement cache would pay a
	// round trip to prepare each statement it runs once. Exec sends each
	// statement with its parameters in one round trip, typed from Go.
	cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	db := stdlib.OpenDB(*cfg)
	db.SetMaxIdleConns(2)
	return &DB{db: db, eng: eng, where: where}, nil
}

// connectEmpty connects to a database that holds no tenant yet.
func connectEmpty(dsn string) (*DB, error) {
	d, err := connectPostgres(dsn)
	if err != nil {
		return nil, err
	}
	eng := d.eng.(postgresEngine)
	eng.empty = true
	d.eng = eng
	return d, nil
}

// PostgreSQL's limits on what a login names: an identifier is at most 63
// bytes (NAMEDATALEN - 1), and the server resets a connection whose start-up
// message is over 10,000 bytes, which would read as an unreachable server.
const (
	pgMaxIdentifier = 63
	pgMaxStartup    = 10000
)

// checkStartup refuses a URL the server would refuse to read, with a line
// that says why rather than "connection reset".
func checkStartup(where string, cfg *pgx.ConnConfig) error {
	for what, name := range map[string]string{"database": cfg.Database, "user": cfg.User} {
		if len(name) > pgMaxIdentifier {
			return store.Errorf(store.EINVALID, "the %s name of %s is %d bytes: PostgreSQL names are at most %d", what, store.QuoteShort(where), len(name), pgMaxIdentifier)
		}
	}
	n := len(cfg.User) + len(cfg.Database)
	for k, v := range cfg.RuntimeParams {
		n += len(k) + len(v) + 2
	}
	if n > pgMaxStartup-200 {
		return store.Errorf(store.EINVALID, "the parameters of %s are %d bytes: a PostgreSQL server reads at most %d", store.QuoteShort(where), n, pgMaxStartup-200)
	}
	return nil
}

// initPostgres creates the schema and the tenant in one transaction: a
// failure, or a dry run, leaves the database as it was.
func initPostgres(ctx context.Context, dsn string, opts store.InitOptions, force bool) (*store.InitResult, error) {
	d, err := connectEmpty(dsn)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	ms, err := d.migrations()
	if err != nil {
		return nil, err
	}
	var res *store.InitResult
	// Init runs before anyone exists, so it runs as nobody.
	ctx = withDryRunOf(store.WithNow(context.Background(), store.Now(ctx)), ctx)
	err = d.write(ctx, func(t *tx) error {
		have, err := pgTenantIn(t, d.where)
		if err != nil {
			return err
		}
		if have > 0 {
			if !force {
				return store.Errorf(store.ECONFLICT, "a tenant database already exists at %s", d.where).
					WithHint("pass --force to replace it, or choose another --db")
			}
			if _, err := t.ExecContext(t.ctx, `DROP TABLE IF EXISTS `+strings.Join(serverTables, ", ")+` CASCADE`); err != nil {
				return err
			}
		}
		if err := d.migrateIn(t.ctx, t.querier, ms, true); err != nil {
			return err
		}
		if res, err = t.seedTenant(opts.Tenant, opts.Admin, opts.Demo); err != nil {
			return err
		}
		return t.setUpServer(res.Admin)
	})
	if err != nil {
		return nil, err
	}
	res.DB = d.where
	return res, nil
}

// pgTenantIn is the schema version of the tenant the database holds (0:
// none), and refuses one that holds a table named tenant without being a
// tenant.
func pgTenantIn(t *tx, where string) (int, error) {
	have, err := t.eng.schemaVersion(t.ctx, t.querier)
	if err != nil || have > 0 {
		return have, err
	}
	var stray sql.NullString
	if err := t.QueryRowContext(t.ctx, `SELECT to_regclass('tenant')::text`).Scan(&stray); err != nil {
		return 0, err
	}
	if stray.Valid {
		return 0, store.Errorf(store.ECONFLICT, "%s already holds a table named tenant that is not a commercectl tenant", where).
			WithHint("choose an empty database, or another schema with ?search_path=NAME")
	}
	return 0, nil
}

func withDryRunOf(ctx, of context.Context) context.Context {
	if store.IsDryRun(of) {
		return store.WithDryRun(ctx)
	}
	return ctx
}

func (postgresEngine) name() string           { return "PostgreSQL" }
func (postgresEngine) rebind(q string) string { return rebindDollar(q) }
func (postgresEngine) migrationDir() string   { return "migrations/postgres" }

func (postgresEngine) beginRead(ctx context.Context, conn *sql.Conn) error {
	_, err := conn.ExecContext(ctx, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
	return err
}

// writeLockWait is how long a write waits for the one before it, as
// SQLite's busy timeout: past it, the command says the tenant stayed busy.
// It is the session's lock_timeout.
const writeLockWait = "30s"

// beginWrite queues the tenant's writers, then begins. SERIALIZABLE alone
// keeps every rule, but writers of one pool (every assign reads the pool's
// count, then writes it) conflict so often that eight at once aborted one
// attempt in two and could exhaust the retries. LOCK TABLE comes before
// any query, so the transaction's snapshot is taken once the writer ahead
// has committed: queued writers see each other's work and do not conflict.
// Reads take no lock and never wait. The lock is a table lock of the
// transaction, released at its end, not an advisory lock.
func (e postgresEngine) beginWrite(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, "BEGIN ISOLATION LEVEL SERIALIZABLE"); err != nil {
		return err
	}
	if e.empty {
		return nil
	}
	// commercectl_lock is the lock from schema version 2 on; a tenant of
	// version 1, about to be upgraded, has only commercectl_schema.
	for _, table := range []string{"commercectl_lock", "commercectl_schema"} {
		_, err := conn.ExecContext(ctx, "LOCK TABLE "+table+" IN EXCLUSIVE MODE")
		if pgCode(err) != pgUndefinedTable {
			return err
		}
		if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, "BEGIN ISOLATION LEVEL SERIALIZABLE"); err != nil {
			return err
		}
	}
	// No tenant here: the caller's first query says so.
	return nil
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func (postgresEngine) retryable(err error) bool {
	c := pgCode(err)
	return c == pgSerializationFailure || c == pgDeadlockDetected
}

func (postgresEngine) readOnly(err error) bool { return pgCode(err) == pgReadOnlyTransaction }

func (e postgresEngine) noTenant(where string) error {
	return store.Errorf(store.ENOTFOUND, "no tenant in %s", where).
		WithHint("create one with: commercectl init --tenant NAME --admin UPN --db %s", where)
}

// The schema version is one row of commercectl_schema; a database without
// that table holds no tenant.
func (e postgresEngine) schemaVersion(ctx context.Context, q querier) (int, error) {
	var v sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT CASE WHEN to_regclass('commercectl_schema') IS NULL THEN 0 END`).Scan(&v)
	if err != nil {
		return 0, err
	}
	if v.Valid {
		// Nothing visible: no tenant, or a schema (?search_path=) this
		// login may not use, another tenant's.
		var barred bool
		err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace n, unnest(string_to_array(current_setting('search_path'), ',')) AS p (name)
			WHERE n.nspname = btrim(p.name, ' "') AND NOT has_schema_privilege(n.oid, 'USAGE'))`).Scan(&barred)
		if err == nil && barred {
			err = notBound(e.user)
		}
		return 0, err
	}
	err = q.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM commercectl_schema`).Scan(&v)
	if pgCode(err) == pgInsufficientPriv {
		// The first table a command reads: a login in no group of the
		// tenant may not read even that.
		return 0, notBound(e.user)
	}
	return int(v.Int64), err
}

func (postgresEngine) setSchemaVersion(ctx context.Context, q querier, v int) error {
	_, err := q.ExecContext(ctx, `INSERT INTO commercectl_schema (id, version) VALUES (1, $1)
		ON CONFLICT (id) DO UPDATE SET version = excluded.version`, v)
	return err
}

// The working tables are TEMP, private to the session; their rows go at
// the end of every transaction, and are emptied before each use, since one
// transaction may pick users more than once.
func (postgresEngine) scratch(ctx context.Context, q querier, name string) error {
	ddl := pgText(strings.Replace(scratchTables[name], "ROWNUM", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", 1))
	if _, err := q.ExecContext(ctx, "CREATE TEMP TABLE IF NOT EXISTS "+ddl+" ON COMMIT DELETE ROWS"); err != nil {
		return err
	}
	_, err := q.ExecContext(ctx, "DELETE FROM "+name)
	return err
}

// Autovacuum never analyzes a temporary table: without statistics the
// planner takes 100,000 picked users for a handful, and an UPDATE that
// joins them loops.
func (postgresEngine) scratchFilled(ctx context.Context, q querier, name string) error {
	_, err := q.ExecContext(ctx, "ANALYZE "+name)
	return err
}

// copyIn streams src with COPY through the connection of the transaction.
func (postgresEngine) copyIn(t *tx, name, cols string, names []string, src rowSource) (int64, error) {
	if cols != "" {
		if _, err := t.ExecContext(t.ctx, "CREATE TEMP TABLE "+name+" ("+pgText(cols)+") ON COMMIT DROP"); err != nil {
			return 0, err
		}
	}
	var n int64
	err := t.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("copy into %s: not a pgx connection", name)
		}
		var err error
		n, err = c.Conn().CopyFrom(t.ctx, pgx.Identifier{name}, names, src)
		return err
	})
	return n, err
}

// queryRaw runs query on the transaction's own pgx connection.
func (postgresEngine) queryRaw(t *tx, query string, args []any, each func([][]byte) error) error {
	return t.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("not a pgx connection")
		}
		rows, err := c.Conn().Query(t.ctx, rebindDollar(query), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := each(rows.RawValues()); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

func (postgresEngine) uniqueViolation(err error) bool { return pgCode(err) == pgUniqueViolation }

// pgText declares the text columns of a scratch table COLLATE "C", as the
// tenant's tables are: a join between two collations cannot use the
// index of either, and a join of 100,000 picked users against the users
// became 100,000 scans of the pick table.
func pgText(cols string) string {
	return strings.ReplaceAll(cols, "TEXT ", `TEXT COLLATE "C" `)
}

// The server checks its own pages and every foreign key as it writes.
func (postgresEngine) integrity(context.Context, querier) ([]store.Problem, error) { return nil, nil }

// Rows copied with their ids leave an identity column's counter behind:
// it is moved past the largest id.
func (postgresEngine) afterCopy(ctx context.Context, q querier, table string) error {
	var seq sql.NullString
	err := q.QueryRowContext(ctx, `SELECT pg_get_serial_sequence($1, 'id') FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 AND column_name = 'id'`, table).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !seq.Valid {
		return nil // no identity column
	}
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `SELECT setval($1, coalesce((SELECT max(id) FROM `+table+`), 0) + 1, false)`, seq.String)
	return err
}

// wrap classifies by SQLSTATE, never by the text of a message.
func (e postgresEngine) wrap(where string, err error) error {
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return e.connectError(err)
	}
	switch pgCode(err) {
	case pgReadOnlyTransaction:
		return store.Errorf(store.EINTERNAL, "%s is read-only: cannot change the tenant", where)
	case pgInsufficientPriv:
		return store.Errorf(store.EFORBIDDEN, "the server refused %s: %s", e.user, pgMessage(err))
	case pgDiskFull:
		return store.Errorf(store.EINTERNAL, "the server of %s has no space left", where)
	case pgTooManyConnections:
		return store.Errorf(store.EINTERNAL, "PostgreSQL at %s has no connection left for %s; try again", e.addr, e.user)
	case pgLockNotAvailable:
		return store.Errorf(store.EINTERNAL, "%s stayed locked by another commercectl for too long; try again", where)
	case pgQueryCanceled:
		return store.Errorf(store.EINTERNAL, "PostgreSQL at %s canceled the statement: %s", e.addr, pgMessage(err))
	}
	if c := pgCode(err); strings.HasPrefix(c, "08") || strings.HasPrefix(c, "57P") {
		return store.Errorf(store.EINTERNAL, "lost the connection to PostgreSQL at %s: %s", e.addr, pgMessage(err))
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, net.ErrClosed) {
		return store.Errorf(store.EINTERNAL, "lost the connection to PostgreSQL at %s: %s", e.addr, netCause(err))
	}
	return err
}

// connectError says why no connection was made, naming the server.
func (e postgresEngine) connectError(err error) error {
	switch pgCode(err) {
	case pgInvalidPassword, pgInvalidAuthorization:
		return store.Errorf(store.EINTERNAL, "PostgreSQL at %s refused the login of %s: %s", e.addr, e.user, pgMessage(err)).
			WithHint("check the user and password (PGPASSWORD, ~/.pgpass) and the server's pg_hba.conf")
	case pgInsufficientPriv:
		return store.Errorf(store.EFORBIDDEN, "the login %s may not connect to the database %s at %s", e.user, e.database, e.addr).
			WithHint("only logins bound to this tenant's users may: a GlobalAdmin of it runs commercectl set-login UPN --pg-role %s", e.user)
	case pgInvalidCatalogName:
		return store.Errorf(store.ENOTFOUND, "PostgreSQL at %s has no database %q", e.addr, e.database).
			WithHint("create it first: createdb %s", e.database)
	case "":
	default:
		return store.Errorf(store.EINTERNAL, "PostgreSQL at %s refused the connection: %s", e.addr, pgMessage(err))
	}
	return store.Errorf(store.EINTERNAL, "cannot reach PostgreSQL at %s: %s", e.addr, netCause(err)).
		WithHint("check that the server runs and the host and port of --db")
}

func pgMessage(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Message
	}
	return err.Error()
}

// netCause is the innermost reason a connection failed ("connection
// refused", "no such host", a TLS failure), without pgx's preamble.
func netCause(err error) string {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err.Error()
	}
	var de *net.DNSError
	if errors.As(err, &de) {
		return de.Err
	}
	for {
		u := errors.Unwrap(err)
		if u == nil {
			break
		}
		err = u
	}
	return err.Error()
}

// tenantTables are the tables of a tenant, each after those it refers to.
var tenantTables = []string{
	"tenant", "users", "user_roles", "products", "product_aliases", "service_plans", "policies",
	"product_policies", "offer_type_policies", "subscriptions", "licenses", "requests",
	"request_users", "notifications", "deliveries", "audit_log",
}
