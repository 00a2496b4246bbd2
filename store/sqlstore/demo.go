package sqlstore

import (
	"strings"
	"time"

	"github.com/commercectl/commercectl/store"
)

// demoPeople is the staff of the demo tenant: name, department, roles.
var demoPeople = []struct {
	name, dept string
	roles      []string
}{
	{"Megan Bowen", "Finance", []string{store.RoleBillingAdmin}},
	{"Lee Gu", "IT", []string{store.RoleLicenseAdmin}},
	{"Isaiah Langer", "IT", []string{store.RoleUserAdmin}},
	{"Patti Fernandez", "Executive", []string{store.RoleGlobalReader}},
	{"Alex Wilber", "Marketing", nil},
	{"Adele Vance", "Retail", nil},
	{"Diego Siciliani", "HR", nil},
	{"Grady Archie", "Research", nil},
	{"Henrietta Mueller", "Research", nil},
	{"Irvin Sayers", "Research", nil},
	{"Johanna Lorenz", "Engineering", nil},
	{"Joni Sherman", "Legal", nil},
	{"Lidia Holloway", "Engineering", nil},
	{"Lynne Robbins", "Retail", nil},
	{"Miriam Graham", "Sales", nil},
	{"Nestor Wilke", "Operations", nil},
	{"Pradeep Gupta", "Finance", nil},
	{"Christie Cline", "Sales", nil},
	{"Debra Berger", "Executive", nil},
	{"Emily Braun", "Finance", nil},
	{"Enrico Cattaneo", "Engineering", nil},
	{"Raul Razo", "Sales", nil},
	{"Sanjay Shah", "Engineering", nil},
	{"Allan Deyoung", "IT", nil},
	{"Brian Johnson", "Marketing", nil},
	{"Cameron White", "Sales", nil},
	{"Ben Walters", "Operations", nil},
	{"Anne Weiler", "Engineering", nil},
	{"Nina Castillo", "Marketing", nil},
}

// seedDemo fills a new tenant with people, policies, subscriptions (central,
// self-service from several buyers, a trial, an expired one), licenses and
// pending license requests, all dated relative to now.
func (t *tx) seedDemo(admin string, res *store.InitResult) error {
	_, domain, _ := strings.Cut(admin, "@")
	ids := map[string]int64{}
	var adminID int64
	if err := t.QueryRowContext(t.ctx, `SELECT id FROM users WHERE upn_key = ?`, strings.ToLower(admin)).Scan(&adminID); err != nil {
		return err
	}
	upnOf := func(name string) string {
		return strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@" + domain
	}
	for _, p := range demoPeople {
		u, err := t.insertUser(store.NewUser{UPN: upnOf(p.name), DisplayName: p.name, Department: p.dept, Roles: p.roles})
		if err != nil {
			return err
		}
		var id int64
		if err := t.QueryRowContext(t.ctx, `SELECT id FROM users WHERE upn_key = ?`, strings.ToLower(u.UPN)).Scan(&id); err != nil {
			return err
		}
		ids[p.name] = id
	}
	res.Users += len(demoPeople)

	// Policies: what a cautious organization blocks.
	for pid, v := range map[string]string{
		"CFQ7TTC0H6RP": store.ValueDisabled,   // Power BI Premium
		"CFQ7TTC0HDB0": store.ValueDisabled,   // Project Plan 3
		"CFQ7TTC0MM8R": store.ValueDisabled,   // Microsoft 365 Copilot
		"CFQ7TTC0HDB1": store.ValueOnlyTrials, // Planner Plan 1
	} {
		if _, err := t.ExecContext(t.ctx, `UPDATE product_policies SET value = ? WHERE product_id = ?`, v, pid); err != nil {
			return err
		}
	}

	day := 24 * time.Hour
	price := func(pid string) int64 {
		for _, p := range builtinCatalog {
			if p.id == pid {
				return p.priceCents
			}
		}
		return 0
	}
	sub := func(pid, kind, buyer string, qty int, ageDays, termDays int, users ...string) error {
		var buyerID int64
		if buyer != "" {
			buyerID = ids[buyer]
		}
		created := t.now.Add(-time.Duration(ageDays) * day)
		p := price(pid)
		if kind == store.KindTrial {
			p = 0
		}
		id, err := t.insertSubscription(newSubscription{productID: pid, kind: kind, purchaserID: buyerID, quantity: qty,
			priceCents: p, createdAt: created, expiresAt: created.Add(time.Duration(termDays) * day)})
		if err != nil {
			return err
		}
		for i, name := range users {
			uid := ids[name]
			if name == "admin" {
				uid = adminID
			}
			if err := t.insertLicense(uid, pid, id, created.Add(time.Duration(i)*time.Hour)); err != nil {
				return err
			}
		}
		res.Subscriptions++
		return nil
	}
	steps := []func() error{
		// Central subscriptions bought by the billing team.
		func() error {
			return sub("CFQ7TTC0H9MP", store.KindCentral, "", 10, 200, 365, "admin", "Megan Bowen", "Patti Fernandez",
				"Debra Berger", "Emily Braun", "Pradeep Gupta", "Christie Cline")
		},
		func() error {
			return sub("CFQ7TTC0HD32", store.KindCentral, "", 5, 120, 365, "Johanna Lorenz", "Lidia Holloway", "Enrico Cattaneo")
		},
		func() error { return sub("CFQ7TTC0MM8R", store.KindCentral, "", 3, 40, 365, "admin", "Debra Berger") },
		// Expired 10 days ago: its users now hold licenses with no seat behind them.
		func() error {
			return sub("CFQ7TTC0HDB0", store.KindCentral, "", 2, 375, 365, "Nestor Wilke", "Ben Walters")
		},
		// Self-service purchases by several people.
		func() error {
			return sub("CFQ7TTC0H9MP", store.KindSelfService, "Alex Wilber", 5, 60, 365, "Alex Wilber", "Brian Johnson", "Nina Castillo")
		},
		func() error {
			return sub("CFQ7TTC0H9MP", store.KindSelfService, "Grady Archie", 3, 30, 365, "Grady Archie", "Henrietta Mueller", "Irvin Sayers")
		},
		func() error {
			return sub("CFQ7TTC0LH3L", store.KindSelfService, "Miriam Graham", 4, 90, 365, "Miriam Graham", "Raul Razo", "Cameron White")
		},
		func() error {
			return sub("CFQ7TTC0HD33", store.KindSelfService, "Sanjay Shah", 2, 15, 365, "Sanjay Shah", "Anne Weiler")
		},
		// A trial that started 12 days ago.
		func() error {
			return sub("CFQ7TTC0LH2H", store.KindTrial, "Adele Vance", 1, 12, trialDays, "Adele Vance")
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}

	// Pending license requests for blocked products, naming colleagues.
	reqs := []struct {
		pid, requester string
		ageDays        int
		also           []string
	}{
		{"CFQ7TTC0HDB0", "Diego Siciliani", 3, nil},
		{"CFQ7TTC0H6RP", "Johanna Lorenz", 5, []string{"Lidia Holloway", "Enrico Cattaneo"}},
		{"CFQ7TTC0MM8R", "Joni Sherman", 1, []string{"Lynne Robbins"}},
	}
	for _, r := range reqs {
		rid, err := t.insertRequest(r.pid, ids[r.requester], t.now.Add(-time.Duration(r.ageDays)*day))
		if err != nil {
			return err
		}
		for i, name := range append([]string{r.requester}, r.also...) {
			if _, err := t.ExecContext(t.ctx, `INSERT INTO request_users (request_id, user_id, pos) VALUES (?, ?, ?)`, rid, ids[name], i+1); err != nil {
				return err
			}
		}
		res.Requests++
	}
	return nil
}
