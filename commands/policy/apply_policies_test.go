package policy

import (
	"testing"

	"github.com/commercectl/commercectl/store"
)

// The question before applying a file names what changes, so that an admin
// does not have to run diff-policies first to know what yes does.
func TestApplyQuestionNamesTheChanges(t *testing.T) {
	def := store.PolicyChange{Scope: "default", Target: "default", Current: "Enabled", Desired: "Disabled"}
	pro := store.PolicyChange{Scope: "product", Target: "CFQ7TTC0H9MP", ProductName: "Power BI Pro", Current: "Enabled", Desired: "OnlyTrialsWithoutPaymentMethod"}
	if got, want := applyQuestion([]store.PolicyChange{def}, "p.yaml"), "Apply 1 change from p.yaml: the default: Enabled → Disabled?"; got != want {
		t.Errorf("one change asks %q, want %q", got, want)
	}
	plan := []store.PolicyChange{pro, def, pro, def, pro}
	want := "Apply 5 changes from p.yaml: Power BI Pro: Enabled → OnlyTrialsWithoutPaymentMethod; the default: Enabled → Disabled; " +
		"Power BI Pro: Enabled → OnlyTrialsWithoutPaymentMethod; and 2 more (diff-policies -f p.yaml lists them)?"
	if got := applyQuestion(plan, "p.yaml"); got != want {
		t.Errorf("five changes ask %q, want %q", got, want)
	}
}
