package policy

import (
	"reflect"
	"strings"
	"testing"

	"github.com/commercectl/commercectl/store"
	"go.yaml.in/yaml/v3"
)

// FuzzParsePolicySet checks that ParsePolicySet never panics, that its errors
// are one line, and that what it accepts survives a round trip through yaml.
func FuzzParsePolicySet(f *testing.F) {
	for _, s := range []string{
		"# Desired state of AllowSelfServicePurchase\npolicy: AllowSelfServicePurchase\ndefault: OnlyTrialsWithoutPaymentMethod\nproducts:\n  CFQ7TTC0KP0P: Enabled # Power Automate\n  CFQ7TTC0KP0N: Disabled\nofferTypes:\n  trial: Enabled\n",
		"policy: AllowSelfServicePurchase\n",
		"policy: x\nproducts: {}\nofferTypes: {}\n",
		"policy: x\nproducts:\n  A: Enabled\n  A: Disabled\n",
		"policy: x\nprodcts:\n  A: Enabled\n",
		"policy: [1, 2]\n",
		"policy: &a x\ndefault: *a\n",
		"policy: \"\\u202e\"\nproducts:\n  \"\": \"\"\n",
		"policy: x\nproducts:\n  ~: null\n",
		"---\npolicy: a\n---\npolicy: b\n",
		"policy: |\n  multi\n  line\n",
		"",
		"   \n\t",
		"\xff\xfe",
		"{",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		set, err := ParsePolicySet("fuzz.yaml", b)
		if err != nil {
			if msg := store.ErrorMessage(err); strings.ContainsAny(msg, "\r") {
				t.Fatalf("error holds a carriage return: %q", msg)
			}
			return
		}
		out, err := yaml.Marshal(&set)
		if err != nil {
			t.Fatalf("cannot marshal %#v: %v", set, err)
		}
		again, err := ParsePolicySet("again.yaml", out)
		if err != nil {
			t.Fatalf("cannot parse its own output %q: %v", out, err)
		}
		// omitempty leaves an empty map out, which comes back as nil.
		norm := func(s store.PolicySet) store.PolicySet {
			if len(s.Products) == 0 {
				s.Products = nil
			}
			if len(s.OfferTypes) == 0 {
				s.OfferTypes = nil
			}
			return s
		}
		if !reflect.DeepEqual(norm(set), norm(again)) {
			t.Fatalf("round trip changed %#v into %#v (yaml %q)", set, again, out)
		}
	})
}
