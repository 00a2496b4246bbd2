package cmdutil

import (
	"errors"
	"strconv"

	"github.com/spf13/pflag"
)

// IntVar defines a whole-number flag read in base 10 only. pflag's own
// IntVar reads Go literals, so "--quantity 010" would buy 8 licenses and
// "0x10" 16: an admin who types a leading zero means ten.
func IntVar(fs *pflag.FlagSet, p *int, name string, value int, usage string) {
	*p = value
	fs.Var((*decimalInt)(p), name, usage)
}

type decimalInt int

func (d *decimalInt) String() string { return strconv.Itoa(int(*d)) }

func (d *decimalInt) Type() string { return "int" }

func (d *decimalInt) Set(s string) error {
	n, err := strconv.Atoi(s)
	if errors.Is(err, strconv.ErrRange) {
		return errors.New("out of range")
	}
	if err != nil {
		return errors.New("not a whole number")
	}
	*d = decimalInt(n)
	return nil
}
