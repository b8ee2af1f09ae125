// Package convrs holds the domain types of the Convrs host and its HubSpot integration, and the interfaces of
// the services that act on them. It imports nothing of the application: storage, HTTP, HubSpot, cache and
// pub/sub live in packages of their own that implement or consume these interfaces.
package convrs

import (
	"errors"
	"fmt"
	"strings"
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
	// ERESYNC ends a subscription that may have missed events (its subscriber fell behind, or pub/sub was
	// interrupted): the client fetches what it shows again and subscribes again.
	ERESYNC = "ERESYNC"
)

// Error is an application error whose message is safe to show to users.
type Error struct {
	Code    string
	Message string
	// Field names the input field at fault, for EINVALID.
	Field string
	// Extensions are more user-safe facts for clients, shown beside code and field in GraphQL's
	// extensions (e.g. ECONFLICT's "customerId" of the existing customer some details match).
	Extensions map[string]any
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

// FieldErrors are several EINVALID errors of one input, reported together so a form can mark every field at
// fault at once. errors.As finds the first *Error, so ErrorCode and ErrorMessage work on it unchanged.
type FieldErrors []*Error

func (e FieldErrors) Error() string {
	msgs := make([]string, len(e))
	for i, fe := range e {
		msgs[i] = fe.Error()
	}
	return strings.Join(msgs, "; ")
}

// Unwrap returns the errors, for errors.As and errors.Is.
func (e FieldErrors) Unwrap() []error {
	out := make([]error, len(e))
	for i, fe := range e {
		out[i] = fe
	}
	return out
}

// Err returns nil when e is empty, the one error when it holds one, else e.
func (e FieldErrors) Err() error {
	switch len(e) {
	case 0:
		return nil
	case 1:
		return e[0]
	}
	return e
}

// Add appends err: its *Errors one by one if it is FieldErrors, else the *Error it wraps. It returns false
// (adding nothing) for any other error, which the caller must return as it is.
func (e *FieldErrors) Add(err error) bool {
	var many FieldErrors
	var one *Error
	switch {
	case err == nil:
		return true
	case errors.As(err, &many):
		*e = append(*e, many...)
	case errors.As(err, &one):
		*e = append(*e, one)
	default:
		return false
	}
	return true
}
