//go:build !windows

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The processes of TestConcurrent share the central pool of concProduct
// (Visio Plan 2: no trial without payment, kept Disabled so that members
// may request it), made of two central subscriptions of concSubSeats.
const (
	concProduct = "CFQ7TTC0HD32"
	concSeats   = 200
	// concFillerProduct licenses the users that only make the tenant bigger.
	concFillerProduct = "CFQ7TTC0LH2H"

	concAdmin     = "admin@contoso.com"     // GlobalAdmin: requests
	concBilling   = "billing@contoso.com"   // BillingAdmin: policies
	concLicensing = "licensing@contoso.com" // LicenseAdmin: assigns
	concUserAdmin = "useradmin@contoso.com" // UserAdmin: assigns
	concReader    = "reader@contoso.com"    // GlobalReader: exports, doctor

	// concCommandLimit ends a command that hangs: far beyond the 10 s busy
	// timeout a queued writer may wait.
	concCommandLimit = 2 * time.Minute
)

var concSubSeats = []int{150, 50}

// concRound is one run of the scenario on a fresh tenant. Every batch and
// every request is of unit users, and unit divides concSeats: the free
// seats are always a multiple of unit, so a batch or an approval is refused
// only when the pool is full, and the pool ends exactly full.
type concRound struct {
	assigners   int // processes assigning batches; 4 more run beside them
	unit        int // users per batch and per request
	users       int // users assigned in batches, unit by unit
	requests    int // license requests of unit users, requester included
	preRequests int // of which made before the start; the others during it
	minLoops    int // iterations each looping process runs at least
	filler      int // more users, licensed with concFillerProduct: longer reads
}

// TestConcurrent starts 8 processes at once on one tenant (issue 7), each
// running its commands one after the other: 4 assigners license 400 users
// in batches from a pool of 200 seats, an approver makes, approves and
// denies license requests on the same pool, a policy admin changes policies
// one by one and from files, an exporter exports the licensed users, a
// reader runs doctor and lists requests and licenses. It checks that every
// command's exit code is what happened to it, that no command saw the
// database locked or busy, that readers only ever saw whole batches and
// requests, and that exactly 200 licenses are held at the end, of exactly
// the batches and requests whose command exited 0. A second round does it
// with batches of 25 in a tenant of 5,000 more licensed users.
// COMMERCECTL_STRESS=1 runs 24 rounds: other batch sizes, up to 16
// processes, up to 50,000 more users.
func TestConcurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs hundreds of processes")
	}
	rounds := []concRound{
		{assigners: 4, unit: 10, users: 400, requests: 8, preRequests: 4, minLoops: 6},
		{assigners: 4, unit: 25, users: 400, requests: 4, preRequests: 2, minLoops: 3, filler: 5000},
	}
	if stress() {
		var long []concRound
		for range 4 {
			long = append(long,
				concRound{assigners: 4, unit: 10, users: 400, requests: 8, preRequests: 4, minLoops: 10},
				concRound{assigners: 4, unit: 5, users: 400, requests: 16, preRequests: 8, minLoops: 10},
				concRound{assigners: 8, unit: 8, users: 400, requests: 10, preRequests: 4, minLoops: 10, filler: 2000},
				concRound{assigners: 6, unit: 25, users: 400, requests: 4, preRequests: 2, minLoops: 10},
				concRound{assigners: 12, unit: 4, users: 600, requests: 20, preRequests: 10, minLoops: 10},
				concRound{assigners: 4, unit: 20, users: 400, requests: 8, preRequests: 0, minLoops: 5, filler: 50000},
			)
		}
		rounds = long
	}
	bin := commercectlBin(t)
	forEachEngine(t, func(t *testing.T, newDB func(dir, name string) string) {
		runConcRounds(t, bin, rounds, newDB)
	})
}

func runConcRounds(t *testing.T, bin string, rounds []concRound, newDB func(dir, name string) string) {
	var total concTally
	for i, r := range rounds {
		t.Run(fmt.Sprintf("round%d_%dprocs_unit%d", i+1, r.assigners+4, r.unit), func(t *testing.T) {
			s := newConcScenario(t, bin, r, newDB)
			s.run()
			tally := s.check()
			t.Logf("%d processes, %d commands: %d exit 0, %d exit 5, %d other; %d assign batches (%d licensed, %d refused), %d requests (%d approved, %d refused, %d denied); %d reads saw the pool part full; %d licenses held, %d \"locked\"; %s",
				r.assigners+4, tally.commands, tally.exit0, tally.exit5, tally.other, tally.batches, tally.batchesOK, tally.batchesRefused,
				tally.requests, tally.approved, tally.approveRefused, tally.denied, tally.midway, tally.held, tally.locked, tally.wall.Round(time.Millisecond))
			total.add(tally)
		})
	}
	if len(rounds) > 1 {
		t.Logf("all %d rounds: %d commands: %d exit 0, %d exit 5, %d other; %d \"locked\"; %s of concurrent runs",
			len(rounds), total.commands, total.exit0, total.exit5, total.other, total.locked, total.wall.Round(time.Millisecond))
	}
}

// concOp is one command a process ran, and what it ran it for.
type concOp struct {
	worker         string
	as             string
	args           []string
	code           int // -1: killed or not started
	stdout, stderr []byte
	unit           string // the batch or request it licenses, if any
	requestID      int64
}

func (o *concOp) String() string {
	args := make([]string, len(o.args))
	for i, a := range o.args {
		if len(a) > 60 {
			a = a[:57] + "..."
		}
		args[i] = a
	}
	return fmt.Sprintf("%s: commercectl %s --as %s: exit %d\nstderr: %s", o.worker, strings.Join(args, " "), o.as, o.code, o.stderr)
}

type concTally struct {
	commands, exit0, exit5, other              int
	batches, batchesOK, batchesRefused         int
	requests, approved, approveRefused, denied int
	midway, held, locked                       int
	wall                                       time.Duration
}

func (a *concTally) add(b concTally) {
	a.commands += b.commands
	a.exit0 += b.exit0
	a.exit5 += b.exit5
	a.other += b.other
	a.locked += b.locked
	a.wall += b.wall
}

type concScenario struct {
	t    *testing.T
	bin  string
	env  []string
	dir  string
	db   string
	r    concRound
	subs []string // the pool's central subscriptions

	unitOf      map[string]string // user → the batch or request that licenses them
	unitUsers   map[string][]string
	preRequests []int64 // ids of the requests made before the start

	policyFiles  []string
	policyValues []map[string]string // what each policy file sets
	initial      map[string]string   // policy target → value at the start
	auditBefore  map[string]int      // audit_log rows per action at the start

	ops  [][]concOp // per process
	wall time.Duration
}

func concBatch(b int) string       { return fmt.Sprintf("batch %d", b) }
func concRequestUnit(k int) string { return fmt.Sprintf("request %d", k) }

func newConcScenario(t *testing.T, bin string, r concRound, newDB func(dir, name string) string) *concScenario {
	// More users in batches than seats: the pool must fill, and some
	// batches must be refused.
	if concSeats%r.unit != 0 || r.users%r.unit != 0 || r.users <= concSeats || r.preRequests > r.requests {
		t.Fatalf("bad round %+v: unit must divide %d and the users, who must outnumber the seats", r, concSeats)
	}
	dir := t.TempDir()
	s := &concScenario{t: t, bin: bin, env: interactiveEnv(dir), dir: dir, db: newDB(dir, "tenant.db"), r: r,
		unitOf: map[string]string{}, unitUsers: map[string][]string{}}
	run(t, bin, s.env, "init", "--tenant", "Contoso", "--admin", concAdmin, "--db", s.db)

	var users bytes.Buffer
	users.WriteString("upn,displayName,department,roles\n")
	for _, a := range [][2]string{{concBilling, "BillingAdmin"}, {concLicensing, "LicenseAdmin"}, {concUserAdmin, "UserAdmin"}, {concReader, "GlobalReader"}} {
		fmt.Fprintf(&users, "%s,%s,IT,%s\n", a[0], strings.Split(a[0], "@")[0], a[1])
	}
	for i := 0; i < r.users; i++ {
		upn := fmt.Sprintf("b%04d@contoso.com", i)
		fmt.Fprintf(&users, "%s,Batch User %d,Design,\n", upn, i)
		u := concBatch(i / r.unit)
		s.unitOf[upn] = u
		s.unitUsers[u] = append(s.unitUsers[u], upn)
	}
	for i := 0; i < r.requests*r.unit; i++ {
		upn := fmt.Sprintf("r%04d@contoso.com", i)
		fmt.Fprintf(&users, "%s,Request User %d,Sales,\n", upn, i)
		u := concRequestUnit(i / r.unit)
		s.unitOf[upn] = u
		s.unitUsers[u] = append(s.unitUsers[u], upn)
	}
	var filler strings.Builder
	for i := 0; i < r.filler; i++ {
		upn := fmt.Sprintf("f%06d@contoso.com", i)
		fmt.Fprintf(&users, "%s,Filler User %d,Finance,\n", upn, i)
		filler.WriteString(upn + "\n")
	}
	s.write("users.csv", users.String())
	run(t, bin, s.env, "import-users", filepath.Join(dir, "users.csv"), "--db", s.db, "--as", concAdmin)
	if r.filler > 0 {
		run(t, bin, s.env, "add-subscription", "--product", concFillerProduct, "--quantity", fmt.Sprint(r.filler), "--db", s.db, "--as", concBilling)
		run(t, bin, s.env, "assign-license", "--product", concFillerProduct, "--users-file", s.write("filler.txt", filler.String()), "--db", s.db, "--as", concLicensing)
	}
	for _, q := range concSubSeats {
		var sub struct{ ID string }
		decode(t, run(t, bin, s.env, "add-subscription", "--product", concProduct, "--quantity", fmt.Sprint(q), "-o", "json", "--db", s.db, "--as", concBilling), &sub)
		s.subs = append(s.subs, sub.ID)
	}
	run(t, bin, s.env, "update-policy", "AllowSelfServicePurchase", "--product", concProduct, "--value", "Disabled", "--db", s.db, "--as", concBilling)
	for b := 0; b < r.users/r.unit; b++ {
		s.write(fmt.Sprintf("batch%d.txt", b), strings.Join(s.unitUsers[concBatch(b)], "\n")+"\n")
	}
	for k := 0; k < r.preRequests; k++ {
		var req struct{ ID int64 }
		decode(t, run(t, bin, s.env, s.newRequestArgs(k)...), &req)
		s.preRequests = append(s.preRequests, req.ID)
	}

	// Two desired states the policy admin applies in turn; concProduct is
	// in neither, so that requests for it stay possible.
	s.policyValues = []map[string]string{
		{"CFQ7TTC0H9MP": "Disabled", "CFQ7TTC0HDB1": "OnlyTrialsWithoutPaymentMethod", "CFQ7TTC0HDB0": "Disabled", "SaaS": "Disabled"},
		{"CFQ7TTC0H9MP": "Enabled", "CFQ7TTC0HDB1": "Enabled", "CFQ7TTC0HDB0": "Enabled", "SaaS": "Enabled"},
	}
	for i, vals := range s.policyValues {
		var products, offers strings.Builder
		for _, k := range concSortedKeys(vals) {
			if k == "SaaS" {
				fmt.Fprintf(&offers, "  %s: %s\n", k, vals[k])
			} else {
				fmt.Fprintf(&products, "  %s: %s\n", k, vals[k])
			}
		}
		s.policyFiles = append(s.policyFiles, s.write(fmt.Sprintf("policies-%d.yaml", i),
			"policy: AllowSelfServicePurchase\nproducts:\n"+products.String()+"offerTypes:\n"+offers.String()))
	}
	s.initial = s.readPolicies()
	s.auditBefore = s.readFinal().audit
	return s
}

func (s *concScenario) write(name, content string) string {
	p := filepath.Join(s.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		s.t.Fatal(err)
	}
	return p
}

// newRequestArgs asks for a license of concProduct for request k's users,
// its first user asking.
func (s *concScenario) newRequestArgs(k int) []string {
	us := s.unitUsers[concRequestUnit(k)]
	args := []string{"new-request", "--product", concProduct}
	if len(us) > 1 {
		args = append(args, "--for", strings.Join(us[1:], ","))
	}
	return append(args, "-o", "json", "--db", s.db, "--as", us[0])
}

// exec runs one command with the tenant's --db and --as, recording it.
func (s *concScenario) exec(worker, as string, args ...string) concOp {
	op := concOp{worker: worker, as: as, args: args, code: -1}
	ctx, cancel := context.WithTimeout(context.Background(), concCommandLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.bin, append(append([]string{}, args...), "--db", s.db, "--as", as)...)
	cmd.Env = s.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		op.code = 0
	case errors.As(err, &exitErr):
		op.code = exitErr.ExitCode()
	default:
		fmt.Fprintf(&stderr, "[test: %v]", err)
	}
	op.stdout, op.stderr = stdout.Bytes(), stderr.Bytes()
	return op
}

// run starts every process at once and waits for them all. The assigners
// and the approver run their lists; the others loop until those are done.
func (s *concScenario) run() {
	r := s.r
	workers := []func(name string, done func() bool) []concOp{}
	for w := 0; w < r.assigners; w++ {
		workers = append(workers, func(name string, _ func() bool) []concOp { return s.assigner(name, w) })
	}
	workers = append(workers, func(name string, _ func() bool) []concOp { return s.approver(name) })
	finite := len(workers)
	workers = append(workers, s.policyAdmin, s.exporter, s.reader)

	var (
		finished atomic.Int32
		wg       sync.WaitGroup
		start    = make(chan struct{})
	)
	done := func() bool { return int(finished.Load()) >= finite }
	s.ops = make([][]concOp, len(workers))
	for i, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			s.ops[i] = w(fmt.Sprintf("process %d", i+1), done)
			if i < finite {
				finished.Add(1)
			}
		}()
	}
	began := time.Now()
	close(start)
	wg.Wait()
	s.wall = time.Since(began)
}

// assigner w licenses batches w, w+assigners, ...: by --users, or by
// --users-file every other batch.
func (s *concScenario) assigner(name string, w int) []concOp {
	as := concLicensing
	if w%2 == 1 {
		as = concUserAdmin
	}
	var ops []concOp
	for b := w; b < s.r.users/s.r.unit; b += s.r.assigners {
		args := []string{"assign-license", "--product", concProduct, "-o", "json"}
		if b%2 == 0 {
			args = append(args, "--users", strings.Join(s.unitUsers[concBatch(b)], ","))
		} else {
			args = append(args, "--users-file", filepath.Join(s.dir, fmt.Sprintf("batch%d.txt", b)))
		}
		op := s.exec(name, as, args...)
		op.unit = concBatch(b)
		ops = append(ops, op)
	}
	return ops
}

// approver decides each request, making those not made before the start;
// every fourth is denied, the others approved.
func (s *concScenario) approver(name string) []concOp {
	var ops []concOp
	for k := 0; k < s.r.requests; k++ {
		var id int64
		if k < len(s.preRequests) {
			id = s.preRequests[k]
		} else {
			args := s.newRequestArgs(k)
			op := s.exec(name, args[len(args)-1], args[:len(args)-4]...)
			op.unit = concRequestUnit(k)
			var req struct{ ID int64 }
			if op.code == 0 && json.Unmarshal(op.stdout, &req) == nil {
				id, op.requestID = req.ID, req.ID
			}
			ops = append(ops, op)
			if id == 0 {
				continue // check reports it
			}
		}
		verb := "approve-request"
		if k%4 == 3 {
			verb = "deny-request"
		}
		op := s.exec(name, concAdmin, verb, fmt.Sprint(id), "--yes", "-o", "json")
		op.unit, op.requestID = concRequestUnit(k), id
		ops = append(ops, op)
	}
	return ops
}

// policyAdmin changes policies of products other than concProduct: one at
// a time and from the two desired-state files in turn.
func (s *concScenario) policyAdmin(name string, done func() bool) []concOp {
	var ops []concOp
	values := []string{"Enabled", "Disabled", "OnlyTrialsWithoutPaymentMethod"}
	for i := 0; (i < s.r.minLoops*4 || !done()) && i < 10000; i++ {
		var args []string
		switch i % 4 {
		case 0:
			args = []string{"update-policy", "AllowSelfServicePurchase", "--product", "CFQ7TTC0H9MP", "--value", values[(i/4)%2]}
		case 1:
			args = []string{"update-policy", "AllowSelfServicePurchase", "--product", "CFQ7TTC0HDB1", "--value", values[(i/4)%3]}
		case 2:
			args = []string{"apply-policies", "-f", s.policyFiles[(i/4)%2]}
		case 3:
			args = []string{"update-policy", "--offer-type", "SaaS", "--enabled=" + fmt.Sprint((i/4)%2 == 1)}
		}
		ops = append(ops, s.exec(name, concBilling, append(args, "-o", "json")...))
	}
	return ops
}

func (s *concScenario) exporter(name string, done func() bool) []concOp {
	var ops []concOp
	for i := 0; (i < s.r.minLoops*3 || !done()) && i < 10000; i++ {
		var args []string
		switch i % 3 {
		case 0:
			args = []string{"export-users", "-o", "json"}
		case 1:
			args = []string{"export-users", "--product", concProduct}
		case 2:
			args = []string{"list-licenses", "--product", concProduct, "-o", "json"}
		}
		ops = append(ops, s.exec(name, concReader, args...))
	}
	return ops
}

func (s *concScenario) reader(name string, done func() bool) []concOp {
	var ops []concOp
	for i := 0; (i < s.r.minLoops*3 || !done()) && i < 10000; i++ {
		var args []string
		switch i % 3 {
		case 0:
			args = []string{"doctor"}
		case 1:
			args = []string{"list-requests", "--status", "all", "-o", "json"}
		case 2:
			args = []string{"list-licenses", "-o", "json"}
		}
		ops = append(ops, s.exec(name, concReader, args...))
	}
	return ops
}
