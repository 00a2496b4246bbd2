package output

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	p := NewProgressOf(&buf, "Sending notifications", "messages")
	p.SetOf(0, 300)
	time.Sleep(150 * time.Millisecond) // past the throttle
	p.SetOf(150, 300)
	p.Done(300)
	out := buf.String()
	if !strings.Contains(out, "Sending notifications  50% [") || !strings.Contains(out, "(150/300, ") || !strings.Contains(out, " messages/s) [") {
		t.Errorf("no line with the percent, the count and the rate: %q", out)
	}
	if !strings.HasSuffix(out, "\r\x1b[KSending notifications: 300 messages in "+out[strings.LastIndex(out, " in ")+4:]) || !strings.HasSuffix(out, "s\n") {
		t.Errorf("no final line: %q", out)
	}

	buf.Reset()
	p = NewProgress(&buf, "Copying the tenant")
	p.Set(4096)
	p.Done(1234567)
	if out := buf.String(); !strings.Contains(out, "Copying the tenant (4096/-, ") || !strings.Contains(out, "Copying the tenant: 1,234,567 rows in ") {
		t.Errorf("a count without a total: %q", out)
	}
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 100000: "100,000", 1000000: "1,000,000"} {
		if got := group(n); got != want {
			t.Errorf("group(%d) = %q, want %q", n, got, want)
		}
	}
	for n, want := range map[int64]string{0: "0 B", 999: "999 B", 1500: "1.5 kB", 12_300_000: "12.3 MB", 2_000_000_000: "2.0 GB"} {
		if got := sizeOf(n); got != want {
			t.Errorf("sizeOf(%d) = %q, want %q", n, got, want)
		}
	}
}

// A file read twice (import-users reads it again when another writer made
// it retry) counts from the start again.
func TestProgressReader(t *testing.T) {
	name := filepath.Join(t.TempDir(), "users.csv")
	if err := os.WriteFile(name, bytes.Repeat([]byte("x"), 3000), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var buf bytes.Buffer
	r := NewProgressReader(f, 3000, NewProgressBytes(&buf, "Reading users.csv"))
	b := make([]byte, 1000)
	r.Read(b)
	r.Read(b)
	if r.n != 2000 {
		t.Errorf("read 2000, counted %d", r.n)
	}
	if _, err := r.Seek(0, 0); err != nil || r.n != 0 {
		t.Errorf("after a rewind: %d, %v", r.n, err)
	}
	for range 3 {
		r.Read(b)
	}
	r.Done()
	if out := buf.String(); !strings.HasSuffix(out, "Reading users.csv: 3.0 kB in "+out[strings.LastIndex(out, " in ")+4:]) || !strings.Contains(out, "%") {
		t.Errorf("progress of the file: %q", out)
	}
}
