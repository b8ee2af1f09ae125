package convrs

import "strings"

// Validate checks what a new staff member needs: a role, a name and an email address.
func (s Staff) Validate() error {
	if !s.Role.Valid() {
		return Invalidf("role", "Role must be admin or agent.")
	}
	if e := ValidText("name", s.Name, MaxNameLength); e != nil {
		return e
	}
	if strings.TrimSpace(s.Name) == "" {
		return Invalidf("name", "Enter a name.")
	}
	if email, ok := NormalizeEmail(s.Email); !ok || email == "" {
		return Invalidf("email", "%q is not an email address.", s.Email)
	}
	return nil
}
