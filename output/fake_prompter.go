package output

import (
	"fmt"
	"slices"
	"strings"
)

// FakePrompter answers prompts from a script, for tests. Each answer is
// consumed in order and must be for a prompt whose message contains Match.
type FakePrompter struct {
	Answers []FakeAnswer
	// Asked records every message asked, in order; Offered the options each
	// Select and MultiSelect offered, by message.
	Asked   []string
	Offered map[string][]string
}

func (f *FakePrompter) offer(message string, options []string) {
	if f.Offered == nil {
		f.Offered = map[string][]string{}
	}
	f.Offered[message] = slices.Clone(options)
}

// FakeAnswer is one scripted answer: options by their text, a string, or a bool.
type FakeAnswer struct {
	Match   string
	Options []string // Select takes the first, MultiSelect all
	Text    string
	Yes     bool
}

func (f *FakePrompter) next(message string) (FakeAnswer, error) {
	f.Asked = append(f.Asked, message)
	if len(f.Answers) == 0 {
		return FakeAnswer{}, fmt.Errorf("unexpected prompt %q", message)
	}
	a := f.Answers[0]
	f.Answers = f.Answers[1:]
	if !strings.Contains(message, a.Match) {
		return FakeAnswer{}, fmt.Errorf("prompt %q, but the script expected one containing %q", message, a.Match)
	}
	return a, nil
}

func indexOf(options []string, want string) (int, error) {
	for i, o := range options {
		if o == want || strings.HasPrefix(o, want+" ") {
			return i, nil
		}
	}
	return -1, fmt.Errorf("no option %q among %q", want, options)
}

func (f *FakePrompter) Select(message string, options []string, _ int) (int, error) {
	f.offer(message, options)
	a, err := f.next(message)
	if err != nil {
		return 0, err
	}
	if len(a.Options) == 0 {
		return 0, fmt.Errorf("prompt %q: the script gives no option", message)
	}
	return indexOf(options, a.Options[0])
}

func (f *FakePrompter) MultiSelect(message string, options []string, _ []int) ([]int, error) {
	f.offer(message, options)
	a, err := f.next(message)
	if err != nil {
		return nil, err
	}
	var picked []int
	for _, o := range a.Options {
		i, err := indexOf(options, o)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(picked, i) {
			picked = append(picked, i)
		}
	}
	return picked, nil
}

func (f *FakePrompter) Input(message, _ string) (string, error) {
	a, err := f.next(message)
	return a.Text, err
}

func (f *FakePrompter) Confirm(message string, _ bool) (bool, error) {
	a, err := f.next(message)
	return a.Yes, err
}
