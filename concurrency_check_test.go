//go:build !windows

package main

import (
	"bytes"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"
)

// concFinal is the tenant after the run, read with SQL.
type concFinal struct {
	licensed map[string]string   // user → subscription of their concProduct license
	requests map[int64]concState // request → status and its users' decisions
	audit    map[string]int      // audit_log rows per action
}

type concState struct {
	status    string
	decisions map[string]int
}

func (s *concScenario) readFinal() concFinal {
	t := s.t
	checkDB(t, s.db)
	db := openTestDB(t, s.db)
	defer db.Close()
	f := concFinal{licensed: map[string]string{}, requests: map[int64]concState{}, audit: map[string]int{}}
	concQuery(t, db, func(rows *sql.Rows) error {
		var upn, sub string
		if err := rows.Scan(&upn, &sub); err != nil {
			return err
		}
		if prev, ok := f.licensed[upn]; ok {
			t.Errorf("%s holds two licenses of %s: %s and %s", upn, concProduct, prev, sub)
		}
		f.licensed[upn] = sub
		return nil
	}, `SELECT u.upn, l.subscription_id FROM licenses l JOIN users u ON u.id = l.user_id WHERE l.product_id = $1`, concProduct)
	concQuery(t, db, func(rows *sql.Rows) error {
		var id int64
		var status, decision string
		var n int
		if err := rows.Scan(&id, &status, &decision, &n); err != nil {
			return err
		}
		st, ok := f.requests[id]
		if !ok {
			st = concState{status: status, decisions: map[string]int{}}
		}
		st.decisions[decision] += n
		f.requests[id] = st
		return nil
	}, `SELECT r.id, r.status, coalesce(ru.decision, 'pending'), count(*) FROM requests r JOIN request_users ru ON ru.request_id = r.id GROUP BY 1, 2, 3`)
	concQuery(t, db, func(rows *sql.Rows) error {
		var action string
		var n int
		if err := rows.Scan(&action, &n); err != nil {
			return err
		}
		f.audit[action] = n
		return nil
	}, `SELECT action, count(*) FROM audit_log GROUP BY action`)
	return f
}

func concQuery(t *testing.T, db *sql.DB, each func(*sql.Rows) error, q string, args ...any) {
	t.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			t.Fatal(err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// readPolicies reads every product's and offer type's value.
func (s *concScenario) readPolicies() map[string]string {
	out := map[string]string{}
	for _, scope := range []string{"product", "offer-type"} {
		var pps []struct {
			ProductID, OfferType, PolicyValue string
		}
		decode(s.t, run(s.t, s.bin, s.env, "get-product-policies", "AllowSelfServicePurchase", "--scope", scope, "-o", "json", "--db", s.db, "--as", concReader), &pps)
		for _, pp := range pps {
			out[pp.ProductID+pp.OfferType] = pp.PolicyValue
		}
	}
	return out
}

func concSortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// check holds every command to what the tenant shows happened to it, and
// the tenant to exactly concSeats licenses of whole batches and requests.
func (s *concScenario) check() concTally {
	t := s.t
	final := s.readFinal()
	tally := concTally{wall: s.wall}
	licensedUnit := map[string]bool{} // units licensed by a command that exited 0
	tried := map[string]int{}
	madeRequests := len(s.preRequests)
	wantPolicies := map[string]string{}
	for k, v := range s.initial {
		wantPolicies[k] = v
	}
	policyChanges := 0
	for _, ops := range s.ops {
		var seen concSeen
		for i := range ops {
			op := &ops[i]
			tally.commands++
			switch op.code {
			case 0:
				tally.exit0++
			case 5:
				tally.exit5++
			default:
				tally.other++
			}
			if low := strings.ToLower(string(op.stderr)); strings.Contains(low, "locked") || strings.Contains(low, "busy") {
				tally.locked++
				t.Errorf("saw the database locked or busy: %s", op)
			}
			switch op.args[0] {
			case "assign-license":
				tally.batches++
				tried[op.unit]++
				switch s.checkUnit(op, final, []int{0, 5}) {
				case 0:
					var res struct {
						Changed int
						UPNs    []string
					}
					if err := json.Unmarshal(op.stdout, &res); err != nil || res.Changed != s.r.unit || len(res.UPNs) != s.r.unit {
						t.Errorf("%s\nassigned %d users (%v), want %d: %s", op, res.Changed, err, s.r.unit, op.stdout)
					}
					tally.batchesOK++
					licensedUnit[op.unit] = true
				case 5:
					tally.batchesRefused++
				}
			case "new-request":
				if op.code != 0 || op.requestID == 0 {
					t.Errorf("new-request of %s did not make a request: %s\nstdout: %s", op.unit, op, op.stdout)
				} else {
					madeRequests++
				}
			case "approve-request":
				tally.requests++
				tried[op.unit]++
				switch s.checkUnit(op, final, []int{0, 5}) {
				case 0:
					s.checkRequest(op, final, "Approved", "approved")
					tally.approved++
					licensedUnit[op.unit] = true
				case 5:
					s.checkRequest(op, final, "Pending", "pending")
					tally.approveRefused++
				}
			case "deny-request":
				tally.requests++
				tried[op.unit]++
				if s.checkUnit(op, final, []int{0}) == 0 {
					s.checkRequest(op, final, "Denied", "denied")
					tally.denied++
				}
			case "update-policy", "apply-policies":
				policyChanges += s.checkPolicyOp(op, wantPolicies)
			default:
				if op.code != 0 {
					t.Errorf("a read failed: %s", op)
					continue
				}
				if n := s.checkRead(op, final, &seen); n > 0 && n < concSeats {
					tally.midway++
				}
			}
		}
	}

	// Every batch and request was tried once, and exactly the ones whose
	// command exited 0 hold the pool's seats, all of them.
	for b := 0; b < s.r.users/s.r.unit; b++ {
		if n := tried[concBatch(b)]; n != 1 {
			t.Errorf("%s was tried %d times, want 1", concBatch(b), n)
		}
	}
	for k := 0; k < s.r.requests; k++ {
		if n := tried[concRequestUnit(k)]; n != 1 {
			t.Errorf("%s was decided %d times, want 1", concRequestUnit(k), n)
		}
	}
	tally.held = len(final.licensed)
	if tally.held != concSeats {
		t.Errorf("%d licenses of %s are held at the end, want %d", tally.held, concProduct, concSeats)
	}
	want := map[string]bool{}
	for u := range licensedUnit {
		for _, upn := range s.unitUsers[u] {
			want[upn] = true
		}
	}
	if len(want) != concSeats {
		t.Errorf("the commands that exited 0 licensed %d users, want %d (the pool ends full: a refusal means no free seat)", len(want), concSeats)
	}
	for upn, sub := range final.licensed {
		if !want[upn] {
			t.Errorf("%s holds a license (%s) though no command that exited 0 gave it", upn, sub)
		}
		if !slices.Contains(s.subs, sub) {
			t.Errorf("%s holds a license of %s, not of the pool %v", upn, sub, s.subs)
		}
	}
	for upn := range want {
		if _, ok := final.licensed[upn]; !ok {
			t.Errorf("%s was licensed by a command that exited 0 but holds no license", upn)
		}
	}
	if len(final.requests) != madeRequests {
		t.Errorf("the tenant holds %d requests, want the %d made", len(final.requests), madeRequests)
	}

	// A refused or failed command left no trace in the audit log.
	for action, n := range map[string]int{"assign-license": tally.batchesOK, "approve-request": tally.approved,
		"deny-request": tally.denied, "new-request": madeRequests - len(s.preRequests), "update-policy": policyChanges} {
		if got := final.audit[action] - s.auditBefore[action]; got != n {
			t.Errorf("the run added %d %s entries to the audit log, want %d", got, action, n)
		}
	}

	// The policies are what the last change of each made them.
	got := s.readPolicies()
	for k, v := range wantPolicies {
		if got[k] != v {
			t.Errorf("policy of %s is %s at the end, want %s, the last value set", k, got[k], v)
		}
	}

	// The commands a person would run afterwards agree.
	if op := s.exec("after", concReader, "doctor"); op.code != 0 {
		t.Errorf("doctor after the run: %s\nstdout: %s", &op, op.stdout)
	}
	if op := s.exec("after", concReader, "list-conflicts", "-o", "json"); op.code != 0 || strings.TrimSpace(string(op.stdout)) != "[]" {
		t.Errorf("list-conflicts after the run: %s\nstdout: %s", &op, op.stdout)
	}
	var subs []struct {
		ID                            string
		Quantity, Assigned, Available int
	}
	decode(t, run(t, s.bin, s.env, "list-subscriptions", "--product", concProduct, "-o", "json", "--db", s.db, "--as", concReader), &subs)
	if len(subs) != len(s.subs) {
		t.Errorf("list-subscriptions --product %s lists %d subscriptions, want %d", concProduct, len(subs), len(s.subs))
	}
	for _, sub := range subs {
		if sub.Assigned != sub.Quantity || sub.Available != 0 {
			t.Errorf("%s: %d of %d assigned, %d available; the pool ends full", sub.ID, sub.Assigned, sub.Quantity, sub.Available)
		}
	}
	return tally
}

// checkUnit checks the exit code of a command that licenses (or denies)
// a unit, and that the unit's users hold a license at the end exactly when
// it exited 0 and licenses them. It returns the exit code, or -1 when it
// was not one of allowed.
func (s *concScenario) checkUnit(op *concOp, final concFinal, allowed []int) int {
	t := s.t
	ok := false
	for _, c := range allowed {
		ok = ok || op.code == c
	}
	if !ok {
		t.Errorf("exit %d, want one of %v: %s", op.code, allowed, op)
		return -1
	}
	if op.code == 5 {
		// -o json: the error is one JSON document on stderr, nothing on stdout.
		var e struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal(op.stderr, &e); err != nil || e.Error.Code != "refused" || !strings.Contains(e.Error.Message, "not enough licenses") {
			t.Errorf("exit 5 does not say as JSON that there are not enough licenses (%v): %s", err, op)
		}
		if len(op.stdout) != 0 {
			t.Errorf("exit 5 wrote to stdout: %s\nstdout: %s", op, op.stdout)
		}
	}
	wantLicensed := op.code == 0 && op.args[0] != "deny-request"
	held := 0
	for _, upn := range s.unitUsers[op.unit] {
		if _, ok := final.licensed[upn]; ok {
			held++
		}
	}
	if wantLicensed && held != s.r.unit || !wantLicensed && held != 0 {
		t.Errorf("%d of the %d users of %s hold a license at the end: %s", held, s.r.unit, op.unit, op)
	}
	return op.code
}

// checkRequest checks a decided request's JSON and its state at the end.
func (s *concScenario) checkRequest(op *concOp, final concFinal, status, decision string) {
	t := s.t
	st := final.requests[op.requestID]
	if st.status != status || st.decisions[decision] != s.r.unit || len(st.decisions) != 1 {
		t.Errorf("request %d (%s) is %s with decisions %v at the end, want %s with %d %s: %s",
			op.requestID, op.unit, st.status, st.decisions, status, s.r.unit, decision, op)
	}
	if op.code != 0 {
		return
	}
	var req concRequest
	if err := json.Unmarshal(op.stdout, &req); err != nil || req.ID != op.requestID || req.Status != status {
		t.Errorf("%s printed request %d %s (%v), want %d %s", op.args[0], req.ID, req.Status, err, op.requestID, status)
	}
}

type concRequest struct {
	ID     int64
	Status string
	Users  []struct{ UPN, Decision string }
}

// checkPolicyOp checks a policy change against the values the policy
// admin, the only one changing them, set before, and returns how many
// values it changed.
func (s *concScenario) checkPolicyOp(op *concOp, want map[string]string) int {
	t := s.t
	if op.code != 0 {
		t.Errorf("a policy change failed: %s", op)
		return 0
	}
	if op.args[0] == "apply-policies" {
		vals := s.policyValues[0]
		if op.args[2] == s.policyFiles[1] {
			vals = s.policyValues[1]
		}
		var changes []struct{ Target, Current, Desired string }
		if err := json.Unmarshal(op.stdout, &changes); err != nil {
			t.Errorf("%s: %v\n%s", op, err, op.stdout)
			return 0
		}
		var got, exp []string
		for _, c := range changes {
			got = append(got, c.Target+": "+c.Current+" → "+c.Desired)
		}
		for _, k := range concSortedKeys(vals) {
			if want[k] != vals[k] {
				exp = append(exp, k+": "+want[k]+" → "+vals[k])
			}
			want[k] = vals[k]
		}
		sort.Strings(got)
		if strings.Join(got, "; ") != strings.Join(exp, "; ") {
			t.Errorf("apply-policies changed %v, want %v (the values set before it): %s", got, exp, op)
		}
		return len(got)
	}
	var pp struct {
		ProductID, OfferType, PolicyValue, PreviousValue string
		Changed                                          *bool
	}
	if err := json.Unmarshal(op.stdout, &pp); err != nil || pp.Changed == nil {
		t.Errorf("%s: %v\n%s", op, err, op.stdout)
		return 0
	}
	key, value := pp.ProductID+pp.OfferType, ""
	for i, a := range op.args {
		switch {
		case a == "--value":
			value = op.args[i+1]
		case a == "--enabled=true":
			value = "Enabled"
		case a == "--enabled=false":
			value = "Disabled"
		}
	}
	if pp.PreviousValue != want[key] || pp.PolicyValue != value || *pp.Changed != (want[key] != value) {
		t.Errorf("%s moved %s from %s to %s (changed %v), want from %s to %s", strings.Join(op.args, " "), key,
			pp.PreviousValue, pp.PolicyValue, *pp.Changed, want[key], value)
	}
	want[key] = value
	if *pp.Changed {
		return 1
	}
	return 0
}

// concSeen is what one reading process saw of the pool so far: each
// command of it begins after the one before ended, and licenses are only
// ever added, so what it sees only grows.
type concSeen struct {
	licensed int
}

// checkRead checks what a read saw while the others wrote: whole batches
// and requests, never two licenses for a user, never more than the seats,
// never fewer than it saw before, only users who hold a license at the end.
func (s *concScenario) checkRead(op *concOp, final concFinal, seen *concSeen) int {
	t := s.t
	var upns []string
	count := -1
	switch {
	case op.args[0] == "export-users" && len(op.args) > 1 && op.args[1] == "-o":
		var rows []struct{ UPN, ProductID string }
		if err := json.Unmarshal(op.stdout, &rows); err != nil {
			t.Errorf("%s: %v", op, err)
			return -1
		}
		for _, r := range rows {
			if r.ProductID == concProduct {
				upns = append(upns, r.UPN)
			}
		}
	case op.args[0] == "export-users":
		recs, err := csv.NewReader(bytes.NewReader(op.stdout)).ReadAll()
		if err != nil || len(recs) == 0 || recs[0][0] != "upn" {
			t.Errorf("%s: not the CSV of export-users (%v):\n%s", op, err, op.stdout)
			return -1
		}
		for _, r := range recs[1:] {
			upns = append(upns, r[0])
		}
	case op.args[0] == "list-licenses" && len(op.args) > 1 && op.args[1] == "--product":
		var groups []struct {
			Users []struct{ UPN string }
		}
		if err := json.Unmarshal(op.stdout, &groups); err != nil {
			t.Errorf("%s: %v", op, err)
			return -1
		}
		for _, g := range groups {
			for _, u := range g.Users {
				upns = append(upns, u.UPN)
			}
		}
	case op.args[0] == "list-licenses":
		var rows []struct {
			ProductID                     string
			Quantity, Assigned, Available int
		}
		if err := json.Unmarshal(op.stdout, &rows); err != nil {
			t.Errorf("%s: %v", op, err)
			return -1
		}
		for _, r := range rows {
			if r.ProductID == concProduct {
				if r.Quantity != concSeats || r.Available != r.Quantity-r.Assigned {
					t.Errorf("list-licenses shows %s with %d seats, %d assigned, %d available: %s", concProduct, r.Quantity, r.Assigned, r.Available, op)
				}
				count = r.Assigned
			}
		}
	case op.args[0] == "list-requests":
		var reqs []concRequest
		if err := json.Unmarshal(op.stdout, &reqs); err != nil {
			t.Errorf("%s: %v", op, err)
			return -1
		}
		for _, r := range reqs {
			want := map[string]string{"Pending": "pending", "Approved": "approved", "Denied": "denied"}[r.Status]
			for _, u := range r.Users {
				if u.Decision != want || want == "" {
					t.Errorf("list-requests showed request %d %s with %s %s", r.ID, r.Status, u.UPN, u.Decision)
				}
			}
			if len(r.Users) != s.r.unit {
				t.Errorf("list-requests showed request %d with %d users, want %d", r.ID, len(r.Users), s.r.unit)
			}
		}
		return -1
	case op.args[0] == "doctor":
		return -1 // exit 0 is its verdict
	default:
		t.Errorf("no check for %s", op)
		return -1
	}
	if count < 0 {
		count = len(upns)
		perUnit := map[string]int{}
		dup := map[string]bool{}
		for _, upn := range upns {
			if dup[upn] {
				t.Errorf("%s listed %s twice: %s", op.args[0], upn, op)
			}
			dup[upn] = true
			perUnit[s.unitOf[upn]]++
			if _, ok := final.licensed[upn]; !ok {
				t.Errorf("%s showed %s licensed, who holds no license at the end: %s", op.args[0], upn, op)
			}
		}
		for u, n := range perUnit {
			if n != s.r.unit {
				t.Errorf("%s showed %d of the %d users of %s: part of a batch: %s", op.args[0], n, s.r.unit, u, op)
			}
		}
	}
	if count > concSeats || count < seen.licensed || count%s.r.unit != 0 {
		t.Errorf("%s showed %d licenses of %s after %d before (of %d seats): %s", op.args[0], count, concProduct, seen.licensed, concSeats, op)
	}
	seen.licensed = count
	return count
}
