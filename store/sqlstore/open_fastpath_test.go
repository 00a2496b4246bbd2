package sqlstore_test

import (
	"database/sql"
	"encoding/binary"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/commercectl/commercectl/store"
	"github.com/commercectl/commercectl/store/sqlstore"
)

// A newer schema still in the write-ahead log (not yet in the file's
// header, which Open reads to skip PRAGMA user_version) is refused like a
// checkpointed one.
func TestOpenRefusesANewerSchemaInTheWAL(t *testing.T) {
	sqliteOnly(t)
	d0, path := newTenant(t, false)
	d0.Close()
	newer := sqlstore.SchemaVersion() + 1
	db, err := sql.Open("sqlite", path+"?_pragma=wal_autocheckpoint(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close() // stays open: the WAL is not checkpointed under Open
	if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", newer)); err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 100)
	if f, err := os.Open(path); err == nil {
		f.Read(head)
		f.Close()
	}
	if v := int(binary.BigEndian.Uint32(head[60:])); v == newer {
		t.Fatalf("the header already says %d: nothing is left in the WAL to test", v)
	}
	d, err := sqlstore.Open(path)
	if err == nil {
		d.Close()
		t.Fatal("Open accepted a newer schema that is in the WAL")
	}
	wantCode(t, err, store.ECONFLICT)
	if !strings.Contains(err.Error(), fmt.Sprint(newer)) {
		t.Errorf("message %q does not name version %d", err, newer)
	}
}

// A tenant someone switched to a rollback journal opens as before.
func TestOpenRollbackJournalTenant(t *testing.T) {
	sqliteOnly(t)
	d0, path := newTenant(t, false)
	d0.Close()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("PRAGMA journal_mode = DELETE"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	d, err := sqlstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.GetPolicy(as(admin), policy); err != nil {
		t.Error(err)
	}
}

// Reads, allowed and refused, leave no transaction open on the pooled
// connection: a write on the same store after them works.
func TestReadsThenWrite(t *testing.T) {
	d, _ := newTenant(t, false)
	for i := 0; i < 20; i++ {
		if _, err := d.GetProductPolicy(as(admin), policy, powerBIPro); err != nil {
			t.Fatal(err)
		}
		if _, err := d.GetProductPolicy(as("nobody@contoso.com"), policy, powerBIPro); store.ErrorCode(err) != store.EFORBIDDEN {
			t.Fatalf("want forbidden, got %v", err)
		}
	}
	setValue(t, d, store.ValueDisabled, powerBIPro)
	if v := valueOf(t, d, powerBIPro); v != store.ValueDisabled {
		t.Errorf("value %s after the write, want Disabled", v)
	}
}
