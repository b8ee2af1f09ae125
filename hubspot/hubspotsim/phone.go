package hubspotsim

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// computePhones sets hs_searchable_calculated_phone_number and hs_searchable_calculated_mobile_number from
// phone and mobilephone, as HubSpot does on every write.
func computePhones(props map[string]string, region string) {
	for src, dst := range map[string]string{
		"phone":       "hs_searchable_calculated_phone_number",
		"mobilephone": "hs_searchable_calculated_mobile_number",
	} {
		if n := searchableNumber(props[src], region); n != "" {
			props[dst] = n
		} else {
			delete(props, dst)
		}
	}
}

// searchableNumber is the national significant number of raw: digits only, no country code, no trunk 0.
// Numbers without a leading + are read in region (the portal's country).
func searchableNumber(raw, region string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	if region == "" {
		region = "US"
	}
	num, err := phonenumbers.Parse(raw, region)
	if err == nil && phonenumbers.IsValidNumber(num) {
		return phonenumbers.GetNationalSignificantNumber(num)
	}
	// Numbers the metadata does not know (fictional ranges, wrong region) still get a best effort: the parsed
	// national number, else the digits, without leading trunk zeros.
	digits := ""
	if err == nil {
		digits = phonenumbers.GetNationalSignificantNumber(num)
	} else {
		digits = onlyDigits(raw)
	}
	return strings.TrimLeft(digits, "0")
}

func onlyDigits(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}
