package sqlstore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/commercectl/commercectl/store"
)

// errAborted stands for the server aborting a serializable transaction.
var errAborted = errors.New("could not serialize access due to read/write dependencies among transactions")

// abortingEngine is SQLite whose writes the "server" may abort, as
// PostgreSQL aborts one of two conflicting SERIALIZABLE transactions.
type abortingEngine struct{ sqliteEngine }

func (abortingEngine) retryable(err error) bool { return errors.Is(err, errAborted) }

func newRetryTenant(t *testing.T) *DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tenant.db")
	ctx := store.WithNow(context.Background(), time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
	if _, err := Init(ctx, path, store.InitOptions{Tenant: "Contoso", Admin: "admin@contoso.com"}, false); err != nil {
		t.Fatal(err)
	}
	d, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	d.eng = abortingEngine{}
	return d
}

// An aborted write runs again, whole, and commits once: the user sees the
// result, never the abort.
func TestWriteRetriesAbortedTransactions(t *testing.T) {
	d := newRetryTenant(t)
	ctx := store.WithActor(store.WithNow(context.Background(), time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)), "admin@contoso.com")
	attempts := 0
	err := d.write(ctx, func(t *tx) error {
		attempts++
		if _, err := t.insertUser(store.NewUser{UPN: "ada@contoso.com"}); err != nil {
			return err
		}
		if attempts < 3 {
			return errAborted // after the insert: it must be rolled back
		}
		return t.audit("add-user", "ada@contoso.com", nil, nil)
	})
	if err != nil {
		t.Fatalf("write: %v", err)
	}
	if attempts != 3 {
		t.Errorf("%d attempts, want 3", attempts)
	}
	var n int
	if err := d.db.QueryRow(`SELECT count(*) FROM users WHERE upn_key = 'ada@contoso.com'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("ada is there %d times (%v), want once", n, err)
	}
	if !d.Changed() {
		t.Error("the committed write is not reported as a change")
	}
}

// Past the bound, the command fails with one clear line, and nothing of
// any attempt is kept.
func TestWriteGivesUpAfterTheBound(t *testing.T) {
	d := newRetryTenant(t)
	ctx := store.WithActor(store.WithNow(context.Background(), time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)), "admin@contoso.com")
	attempts := 0
	err := d.write(ctx, func(t *tx) error {
		attempts++
		if _, err := t.insertUser(store.NewUser{UPN: "ada@contoso.com"}); err != nil {
			return err
		}
		return errAborted
	})
	if attempts != writeAttempts {
		t.Errorf("%d attempts, want %d", attempts, writeAttempts)
	}
	if store.ErrorCode(err) != store.EINTERNAL || !strings.Contains(err.Error(), "gave up after 12 attempts") {
		t.Errorf("err = %v, want the internal error that gives up", err)
	}
	if strings.Contains(err.Error(), "serialize") {
		t.Errorf("the user sees the server's abort: %v", err)
	}
	var n int
	if err := d.db.QueryRow(`SELECT count(*) FROM users WHERE upn_key = 'ada@contoso.com'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("ada is there %d times (%v), want none", n, err)
	}
}

// A retried import reads its file again from the start: every user once.
// A pipe cannot be read again, and says so.
func TestImportRetryRereadsTheFile(t *testing.T) {
	d := newRetryTenant(t)
	ctx := store.WithActor(store.WithNow(context.Background(), time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)), "admin@contoso.com")
	aborted := false
	d.eng = abortOnceEngine{aborted: &aborted}
	csv := "upn,displayName,department\nada@contoso.com,Ada,IT\nalan@contoso.com,Alan,IT\n"
	res, err := d.ImportUsers(ctx, "users.csv", bytes.NewReader([]byte(csv)))
	if err != nil {
		t.Fatalf("ImportUsers: %v", err)
	}
	if !aborted || res.Users != 2 {
		t.Errorf("aborted %v, %d users imported, want an abort and 2", aborted, res.Users)
	}

	aborted = false
	pr, pw := io.Pipe()
	go func() {
		pw.Write([]byte("upn,displayName,department\ngrace@contoso.com,Grace,IT\n"))
		pw.Close()
	}()
	_, err = d.ImportUsers(ctx, "-", pr)
	if store.ErrorCode(err) != store.EINTERNAL || !strings.Contains(err.Error(), "cannot be read again") {
		t.Errorf("err = %v, want the line that says to run it again", err)
	}
}

// abortOnceEngine aborts the first write that reaches its audit entry, by
// running instead a statement that fails, as a server's abort fails the
// next statement of a doomed transaction: the file has been read by then.
type abortOnceEngine struct {
	sqliteEngine
	aborted *bool
}

func (e abortOnceEngine) rebind(q string) string {
	if !*e.aborted && strings.HasPrefix(q, "INSERT INTO audit_log") {
		*e.aborted = true
		return "SELECT abort_now()"
	}
	return q
}

func (e abortOnceEngine) retryable(err error) bool { return strings.Contains(err.Error(), "abort_now") }
