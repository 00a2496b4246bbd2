package store

import (
	"fmt"
	"strconv"
)

// Cents is an amount of money stored as integer cents and written in JSON as
// a decimal number of the currency unit (1499 → 14.99).
type Cents int64

func (c Cents) String() string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, int64(c)/100, int64(c)%100)
}

func (c Cents) MarshalJSON() ([]byte, error) { return []byte(c.String()), nil }

func (c *Cents) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	if f < 0 {
		*c = Cents(f*100 - 0.5)
	} else {
		*c = Cents(f*100 + 0.5)
	}
	return nil
}
