package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/commercectl/commercectl/store"
)

// engine is everything that differs between the database engines a tenant
// can live in. Every rule of the domain is written once, in this package,
// against database/sql and the SQL both engines speak; an engine answers
// only the questions below. engine_sqlite.go and engine_postgres.go are the
// two answers, and docs/DESIGN.md lists each difference and why.
type engine interface {
	// name is the engine's name in messages: "SQLite", "PostgreSQL".
	name() string
	// rebind turns the domain's ? placeholders into the engine's own.
	rebind(query string) string
	// beginRead and beginWrite start a transaction on conn: a read sees
	// one snapshot and never blocks a writer; writes are serializable.
	beginRead(ctx context.Context, conn *sql.Conn) error
	beginWrite(ctx context.Context, conn *sql.Conn) error
	// retryable reports a transaction the engine aborted to keep writes
	// serializable (a deadlock or a serialization failure): running the
	// whole transaction again is the cure.
	retryable(err error) bool
	// wrap turns an engine error a person can act on into one clear
	// domain error; where names the database (a path, or a URL without its
	// password).
	wrap(where string, err error) error
	// readOnly reports an error that says the database cannot be written.
	readOnly(err error) bool
	// noTenant is the refusal of a database that holds no tenant.
	noTenant(where string) error
	// schemaVersion and setSchemaVersion keep the migration bookkeeping.
	// schemaVersion is 0 for a database that holds no tenant.
	schemaVersion(ctx context.Context, q querier) (int, error)
	setSchemaVersion(ctx context.Context, q querier, v int) error
	// migrationDir is the engine's directory of numbered migrations.
	migrationDir() string
	// scratch creates, if need be, the per-transaction working table name
	// (pick or carry) and empties it.
	scratch(ctx context.Context, q querier, name string) error
	// scratchFilled is told that a scratch table holds its rows, before
	// the statements that join it.
	scratchFilled(ctx context.Context, q querier, name string) error
	// integrity is the engine's own check of its storage (doctor).
	integrity(ctx context.Context, q querier) ([]store.Problem, error)
	// afterCopy runs once rows with their own ids were copied into table,
	// so that the next row the engine numbers does not collide with them.
	afterCopy(ctx context.Context, q querier, table string) error
}

// scratchTables are the working tables of one transaction: the users a
// bulk operation picks, in order, and the apps each had turned off.
var scratchTables = map[string]string{
	"pick":  "pick (pos ROWNUM, upn_key TEXT NOT NULL UNIQUE)",
	"carry": "carry (user_id BIGINT PRIMARY KEY, plans TEXT NOT NULL)",
}

// rebindDollar numbers the ? placeholders of query as $1, $2, ... and
// leaves alone a ? inside a string literal, a quoted name or a comment.
func rebindDollar(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var sb strings.Builder
	sb.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch c {
		case '\'', '"':
			j := i + 1
			for j < len(query) && query[j] != c {
				j++
			}
			sb.WriteString(query[i:min(j+1, len(query))])
			i = j
		case '-':
			if i+1 < len(query) && query[i+1] == '-' {
				j := strings.IndexByte(query[i:], '\n')
				if j < 0 {
					j = len(query) - i
				}
				sb.WriteString(query[i : i+j])
				i += j - 1
				continue
			}
			sb.WriteByte(c)
		case '?':
			n++
			sb.WriteByte('$')
			sb.WriteString(itoa(n))
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

// rebinder runs the domain's statements through the engine's placeholders.
type rebinder struct {
	q   querier
	eng engine
}

func (r rebinder) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return r.q.ExecContext(ctx, r.eng.rebind(query), args...)
}

func (r rebinder) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return r.q.QueryContext(ctx, r.eng.rebind(query), args...)
}

func (r rebinder) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return r.q.QueryRowContext(ctx, r.eng.rebind(query), args...)
}

func (r rebinder) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return r.q.PrepareContext(ctx, r.eng.rebind(query))
}

// copier is an engine with a bulk-load protocol (PostgreSQL's COPY): rows
// stream into a scratch table of the transaction far faster than INSERTs.
type copier interface {
	// copyIn creates the scratch table name (cols, as in CREATE TABLE) and
	// loads the rows of src into its columns names; with no cols, name is
	// a table of the tenant, and the rows go straight into it.
	copyIn(t *tx, name, cols string, names []string, src rowSource) (int64, error)
	// uniqueViolation reports the error of a statement a unique index refused.
	uniqueViolation(err error) bool
}

// rowSource is a stream of rows to copy (the shape of pgx.CopyFromSource).
type rowSource interface {
	Next() bool
	Values() ([]any, error)
	Err() error
}

// rawRower is an engine that hands a query's rows as the bytes it read,
// without database/sql's copy of every cell into a value and back: the
// export of a million licenses spent a third of its time there on
// PostgreSQL. A row's bytes are valid until the next row.
type rawRower interface {
	queryRaw(t *tx, query string, args []any, each func([][]byte) error) error
}
