package output

import (
	"errors"
	"io"

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

func (p *surveyPrompter) ask(q survey.Prompt, answer any) error {
	in, okIn := p.in.(terminal.FileReader)
	out, okOut := p.errOut.(terminal.FileWriter)
	if !okIn || !okOut {
		return errors.New("prompts need a terminal")
	}
	err := survey.AskOne(q, answer, survey.WithStdio(in, out, p.errOut), survey.WithShowCursor(true))
	if errors.Is(err, terminal.InterruptErr) {
		return ErrCanceled
	}
	return err
}

func (p *surveyPrompter) Select(message string, options []string, defaultIndex int) (int, error) {
	q := &survey.Select{Message: message, Options: options, PageSize: 15}
	if defaultIndex >= 0 && defaultIndex < len(options) {
		q.Default = options[defaultIndex]
	}
	var i int
	err := p.ask(q, &i)
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
	err := p.ask(q, &picked)
	return picked, err
}

func (p *surveyPrompter) Input(message, defaultValue string) (string, error) {
	var s string
	err := p.ask(&survey.Input{Message: message, Default: defaultValue}, &s)
	return s, err
}

func (p *surveyPrompter) Confirm(message string, defaultValue bool) (bool, error) {
	var b bool
	err := p.ask(&survey.Confirm{Message: message, Default: defaultValue}, &b)
	return b, err
}
