package store_test

import (
	"encoding/json"
	"testing"

	"github.com/commercectl/commercectl/store"
)

func TestCentsMarshalJSON(t *testing.T) {
	tests := []struct {
		c    store.Cents
		want string
	}{
		{1499, "14.99"},
		{0, "0.00"},
		{1, "0.01"},
		{10, "0.10"},
		{100, "1.00"},
		{2000, "20.00"},
		{123456789, "1234567.89"},
		{-1, "-0.01"},
		{-1499, "-14.99"},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.c)
		if err != nil {
			t.Fatalf("Marshal(%d): %v", int64(tt.c), err)
		}
		if string(b) != tt.want {
			t.Errorf("Marshal(Cents(%d)) = %s, want %s", int64(tt.c), b, tt.want)
		}
		if s := tt.c.String(); s != tt.want {
			t.Errorf("Cents(%d).String() = %q, want %q", int64(tt.c), s, tt.want)
		}
	}
}

// Money is a JSON number, not a string, inside the documents scripts read.
func TestCentsInSubscriptionJSON(t *testing.T) {
	b, err := json.Marshal(store.Subscription{MonthlyPrice: 1499, MonthlyCost: 4497})
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if got := string(doc["monthlyPrice"]); got != "14.99" {
		t.Errorf("monthlyPrice = %s, want 14.99", got)
	}
	if got := string(doc["monthlyCost"]); got != "44.97" {
		t.Errorf("monthlyCost = %s, want 44.97", got)
	}
}

func TestCentsUnmarshalJSON(t *testing.T) {
	tests := []struct {
		in   string
		want store.Cents
	}{
		{"14.99", 1499},
		{"0", 0},
		{"0.00", 0},
		{"0.1", 10},
		{"0.29", 29}, // 0.29*100 is 28.999... in floating point
		{"20", 2000},
		{"1e2", 10000},
		{"-14.99", -1499},
		{"-0.01", -1},
	}
	for _, tt := range tests {
		var c store.Cents
		if err := json.Unmarshal([]byte(tt.in), &c); err != nil {
			t.Errorf("Unmarshal(%s): %v", tt.in, err)
			continue
		}
		if c != tt.want {
			t.Errorf("Unmarshal(%s) = %d cents, want %d", tt.in, int64(c), int64(tt.want))
		}
	}
	for _, bad := range []string{`"14.99"`, `true`, `"abc"`, `{}`} {
		var c store.Cents
		if err := json.Unmarshal([]byte(bad), &c); err == nil {
			t.Errorf("Unmarshal(%s) = %d cents, want an error", bad, int64(c))
		}
	}
}

// Every amount survives JSON and back unchanged, so a subscription exported
// and read again costs what it cost.
func TestCentsRoundTrip(t *testing.T) {
	check := func(c store.Cents) {
		t.Helper()
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("Marshal(%d): %v", int64(c), err)
		}
		var back store.Cents
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("Unmarshal(%s): %v", b, err)
		}
		if back != c {
			t.Fatalf("Cents(%d) → %s → %d", int64(c), b, int64(back))
		}
	}
	for c := store.Cents(-10000); c <= 200000; c++ {
		check(c)
	}
	for _, c := range []store.Cents{99999999, 100000000001, 4200000000000} {
		check(c)
	}
}
