package phone

import "github.com/nyaruka/phonenumbers"

// ParseValid is Parse for numbers that are stored: the number must also be valid (in an allocated range of
// its country), not merely possible, so "12345" read in GB is refused instead of becoming "+4412345".
func ParseValid(raw, defaultRegion string) (string, error) {
	e164, err := Parse(raw, defaultRegion)
	if err != nil {
		return "", err
	}
	num, err := phonenumbers.Parse(e164, "")
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", ErrInvalid
	}
	return e164, nil
}
