package output

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"
)

type docUser struct {
	UPN   string    `json:"upn"`
	Name  string    `json:"displayName"`
	Roles []string  `json:"roles"`
	At    time.Time `json:"assignedAt"`
}

type docGroup struct {
	Purchaser string    `json:"purchaser"`
	Users     []docUser `json:"users"`
}

type docHead struct {
	ID    string `json:"id"`
	Note  string `json:"note"`
	Price Cents  `json:"price"`
}

type docDetail struct {
	docHead
	Users []docUser `json:"users"`
}

// Cents stands in for store.Cents: a value with its own MarshalJSON.
type Cents int64

func (c Cents) MarshalJSON() ([]byte, error) {
	return []byte(strconv.Itoa(int(c)) + ".00"), nil
}

func docUsers(n int) []docUser {
	long := strings.Repeat("a very long display name that YAML folds ", 4) + "at 80 columns"
	us := make([]docUser, n)
	for i := range us {
		us[i] = docUser{UPN: string(rune('a'+i%26)) + "@contoso.com", Name: "Ada <&> \"Lovelace\"\tline\nbreak", Roles: []string{}, At: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)}
		if i%3 == 1 {
			us[i].Name, us[i].Roles = long, []string{"GlobalAdmin", "UserAdmin"}
		}
	}
	return us
}

// whole is what the printer writes for v built whole.
func whole(t *testing.T, format string, v any) string {
	t.Helper()
	var out bytes.Buffer
	p := &Printer{Format: format, Out: &out}
	var err error
	if format == FormatYAML {
		err = p.yaml(v)
	} else {
		err = p.json(v)
	}
	if err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// A document written as it goes has the bytes of the same value encoded
// whole, in JSON and in YAML, for each shape the streamed verbs print: a
// list, groups each with a list, an object with a list; empty ones too.
func TestDocWritesTheBytesOfTheWholeValue(t *testing.T) {
	for _, format := range []string{FormatJSON, FormatYAML} {
		for _, n := range []int{0, 1, 4} {
			users := docUsers(n)
			check := func(name string, want any, write func(d *Doc) error) {
				t.Helper()
				var out bytes.Buffer
				d := (&Printer{Format: format, Out: &out}).Doc()
				if err := write(d); err != nil {
					t.Fatal(err)
				}
				if err := d.Close(); err != nil {
					t.Fatal(err)
				}
				if testing.Verbose() && n == 4 {
					t.Logf("%s %s:\n%s", format, name, out.String())
				}
				if w := whole(t, format, want); out.String() != w {
					t.Errorf("%s %s of %d users:\n got %q\nwant %q", format, name, n, out.String(), w)
				}
			}
			check("list", users, func(d *Doc) error {
				d.Array()
				for _, u := range users {
					if err := d.Value(u); err != nil {
						return err
					}
				}
				return d.End()
			})
			groups := []docGroup{}
			if n > 0 {
				groups = []docGroup{{Purchaser: "", Users: users[:1]}, {Purchaser: "bob@contoso.com", Users: users[1:]}}
			}
			check("groups", groups, func(d *Doc) error {
				d.Array()
				for _, g := range groups {
					if err := d.Open(struct {
						Purchaser string `json:"purchaser"`
					}{g.Purchaser}); err != nil {
						return err
					}
					d.Key("users")
					d.Array()
					for _, u := range g.Users {
						d.Value(u)
					}
					d.End()
					d.End()
				}
				return nil // Close ends the outer array
			})
			head := docHead{ID: "SUB-00005", Note: strings.Repeat("folded text ", 10), Price: 4}
			check("object", docDetail{docHead: head, Users: users}, func(d *Doc) error {
				if err := d.Open(head); err != nil {
					return err
				}
				d.Key("users")
				d.Array()
				for _, u := range users {
					d.Value(u)
				}
				return nil
			})
		}
	}
}
