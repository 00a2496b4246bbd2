package output

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/AlecAivazis/survey/v2"
	"github.com/AlecAivazis/survey/v2/terminal"
)

// Prompter asks a person questions in a terminal. Verbs use only this
// interface, so the prompt library can change in this one file.
type Prompter interface {
	Select(message string, options []string, defaultIndex int) (int, error)
	MultiSelect(message string, options []string, defaults []int) ([]int, error)
	Input(message, defaultValue string) (string, error)
	Confirm(message string, defaultValue bool) (bool, error)
}

// ErrCanceled is returned when the person interrupts a prompt (Ctrl-C).
var ErrCanceled = errors.New("canceled")

// NewSurveyPrompter asks through survey, reading keys from in and drawing
// on errOut, so stdout stays for data.
func NewSurveyPrompter(in io.Reader, errOut io.Writer) Prompter {
	return &surveyPrompter{in: in, errOut: errOut}
}

type surveyPrompter struct {
	in     io.Reader
	errOut io.Writer
}

func (p *surveyPrompter) ask(q survey.Prompt, message string, answer any) error {
	in, okIn := p.in.(terminal.FileReader)
	out, okOut := p.errOut.(terminal.FileWriter)
	if !okIn || !okOut {
		return errors.New("prompts need a terminal")
	}
	err := survey.AskOne(q, answer, survey.WithStdio(escapeCancels{in}, out, p.errOut), survey.WithShowCursor(true))
	if errors.Is(err, terminal.InterruptErr) {
		// The options drawn go; the question stays, saying it was left.
		if r, ok := q.(interface{ Render(string, any) error }); ok {
			switch q.(type) {
			case *survey.Input, *survey.Confirm:
				// These end their line before they return: back onto it.
				fmt.Fprint(out, "\x1b[1A")
			}
			_ = r.Render(canceledTemplate, message)
		}
		return ErrCanceled
	}
	return err
}

// canceledTemplate replaces a prompt left with Escape or Ctrl-C.
const canceledTemplate = "? {{.}} canceled\n"

// escapeCancels reads keys for survey, where Escape alone leaves the prompt
// as Ctrl-C does (survey would toggle its vim mode). A lone ESC byte with
// nothing after it within escapeDelay is the Escape key; one followed at
// once by more is the start of a sequence (an arrow, or the terminal's
// answer to survey's cursor query, split by a slow link) and goes as it is.
type escapeCancels struct{ terminal.FileReader }

// escapeDelay is how long a lone ESC waits for the rest of a sequence, as
// a terminal's ESCDELAY.
const escapeDelay = 50 * time.Millisecond

func (r escapeCancels) Read(p []byte) (int, error) {
	n, err := r.FileReader.Read(p)
	if n == 1 && p[0] == terminal.KeyEscape && !moreInput(r.Fd(), escapeDelay) {
		p[0] = terminal.KeyInterrupt
	}
	return n, err
}

func (p *surveyPrompter) Select(message string, options []string, defaultIndex int) (int, error) {
	q := &survey.Select{Message: message, Options: options, PageSize: 15}
	if defaultIndex >= 0 && defaultIndex < len(options) {
		q.Default = options[defaultIndex]
	}
	var i int
	err := p.ask(q, message, &i)
	return i, err
}

func (p *surveyPrompter) MultiSelect(message string, options []string, defaults []int) ([]int, error) {
	q := &survey.MultiSelect{Message: message, Options: options, PageSize: 15}
	if len(defaults) > 0 {
		d := make([]string, 0, len(defaults))
		for _, i := range defaults {
			d = append(d, options[i])
		}
		q.Default = d
	}
	var picked []int
	err := p.ask(q, message, &picked)
	return picked, err
}

func (p *surveyPrompter) Input(message, defaultValue string) (string, error) {
	var s string
	err := p.ask(&survey.Input{Message: message, Default: defaultValue}, message, &s)
	return s, err
}

func (p *surveyPrompter) Confirm(message string, defaultValue bool) (bool, error) {
	var b bool
	err := p.ask(&survey.Confirm{Message: message, Default: defaultValue}, message, &b)
	return b, err
}
