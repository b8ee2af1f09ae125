// Package phone reads phone numbers as people type them and gives the forms the product needs: E.164 for
// storage and exact matching, and the national significant number HubSpot's calculated phone properties hold.
package phone

import (
	"errors"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// ErrInvalid is returned for text that is not a valid phone number.
var ErrInvalid = errors.New("not a valid phone number")

// Parse reads raw (any common format: "+44 7911 123456", "07911 123456", "(415) 555-0134") with defaultRegion
// (ISO 3166-1 alpha-2) for numbers written without a country code, and returns the number in E.164.
func Parse(raw, defaultRegion string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", ErrInvalid
	}
	if strings.HasPrefix(raw, "00") {
		raw = "+" + raw[2:]
	}
	num, err := phonenumbers.Parse(raw, strings.ToUpper(defaultRegion))
	// Possible (right length for its country) rather than valid (in an allocated range): reserved ranges such as
	// the UK's 07700 900xxx are real to the people typing them, and HubSpot accepts any text anyway.
	if err != nil || !phonenumbers.IsPossibleNumber(num) || phonenumbers.GetRegionCodeForCountryCode(int(num.GetCountryCode())) == "ZZ" {
		return "", ErrInvalid
	}
	e164 := phonenumbers.Format(num, phonenumbers.E164)
	// A few degenerate inputs ("+358000000000") lose a digit each time they are read, as libphonenumber takes a
	// leading 0 for a trunk prefix: a number that does not read back as itself is no number.
	if again, err := phonenumbers.Parse(e164, ""); err != nil || phonenumbers.Format(again, phonenumbers.E164) != e164 || !phonenumbers.IsPossibleNumber(again) {
		return "", ErrInvalid
	}
	return e164, nil
}

// National returns the national significant number of an E.164 number: digits only, no country code and no
// trunk prefix ("+447911123456" → "7911123456"). This is what HubSpot stores in
// hs_searchable_calculated_phone_number.
func National(e164 string) string {
	num, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return ""
	}
	return phonenumbers.GetNationalSignificantNumber(num)
}

// Region returns the region an E.164 number belongs to (e.g. "GB"), or "".
func Region(e164 string) string {
	num, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return ""
	}
	if r := phonenumbers.GetRegionCodeForNumber(num); r != "" {
		return r
	}
	// Numbers in reserved ranges belong to no region by validity; their country code still names one.
	if r := phonenumbers.GetRegionCodeForCountryCode(int(num.GetCountryCode())); r != "ZZ" {
		return r
	}
	return ""
}

// ValidRegion reports whether region is a region phone numbers can be read in.
func ValidRegion(region string) bool {
	return phonenumbers.GetCountryCodeForRegion(strings.ToUpper(region)) != 0
}
