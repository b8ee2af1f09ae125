// Package convrs holds the domain types of the Convrs host and its HubSpot integration, and the interfaces of
// the services that act on them. It imports nothing of the application: storage, HTTP, HubSpot, cache and
// pub/sub live in packages of their own that implement or consume these interfaces.
package convrs

import (
	"errors"
	"fmt"
)

// Error codes. They are part of the public API: GraphQL clients read them from extensions.code.
const (
	EINVALID      = "EINVALID"      // the input is wrong; the message says which field
	ENOTFOUND     = "ENOTFOUND"     // no such thing, or not visible to the caller's workspace
	EUNAUTHORIZED = "EUNAUTHORIZED" // no valid session
	EFORBIDDEN    = "EFORBIDDEN"    // valid session, but the role may not do this
	ECONFLICT     = "ECONFLICT"     // the state does not allow the operation
	ERATELIMITED  = "ERATELIMITED"  // an upstream (HubSpot) rate limit holds the call back
	EUNAVAILABLE  = "EUNAVAILABLE"  // an upstream or dependency is down; retry later
	EINTERNAL     = "EINTERNAL"     // a bug or an unexpected failure; logged, never detailed to users
)

// Error is an application error whose message is safe to show to users.
type Error struct {
	Code    string
	Message string
	// Field names the input field at fault, for EINVALID.
	Field string
}

func (e *Error) Error() string {
	return fmt.Sprintf("convrs error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalidf returns an EINVALID error naming the field at fault.
func Invalidf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the application error in err's chain, EINTERNAL for any other error, and ""
// for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of err: the application error's message, or a generic text for
// internal errors, whose details must not reach users.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
