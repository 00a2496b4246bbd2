package output

import (
	"bytes"
	"strings"
	"testing"
)

func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	p := NewProgress(&buf, "Exporting users to x.csv")
	p.Set(4096)
	p.Set(8192) // within 100ms of the last: not drawn
	p.Done(1234567)
	out := buf.String()
	if got := strings.Count(out, "\r\x1b[K"); got != 2 {
		t.Errorf("%d redraws, want 2 (one Set, the Done):\n%q", got, out)
	}
	if !strings.Contains(out, "Exporting users to x.csv: 4,096 rows (") {
		t.Errorf("no progress line: %q", out)
	}
	if !strings.Contains(out, "Exporting users to x.csv: 1,234,567 rows in ") || !strings.HasSuffix(out, "\n") {
		t.Errorf("no final line: %q", out)
	}
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 100000: "100,000", 1000000: "1,000,000"} {
		if got := group(n); got != want {
			t.Errorf("group(%d) = %q, want %q", n, got, want)
		}
	}
}
