// Package hubfault sorts what went wrong while talking to HubSpot into the few cases a person can act on, so
// the sync record, the HubSpot card and the admin card each say what happened and what to do in words, while
// HubSpot's own answer (status, category, message, correlation ID) goes to the admin's Details and the log.
package hubfault

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot"
)

// Kind is a class of failure that calls for one kind of action.
type Kind string

const (
	// None: no error.
	None Kind = ""
	// Invalid: HubSpot refused the data sent (400 VALIDATION_ERROR and other 4xx not listed below).
	Invalid Kind = "INVALID"
	// MissingScopes: 403, the connection lacks a permission (or HubSpot forbids the call).
	MissingScopes Kind = "MISSING_SCOPES"
	// Refused: HubSpot no longer accepts Convrs's authorization (401 other than an expired token, a refresh
	// refused for good, or the integration already in ERROR for that reason). Only Reconnect helps.
	Refused Kind = "REFUSED"
	// NotFound: 404, the contact or note is gone.
	NotFound Kind = "NOT_FOUND"
	// RateLimited: 429.
	RateLimited Kind = "RATE_LIMITED"
	// Unavailable: 5xx, timeouts, the network, an expired token that could not be renewed yet.
	Unavailable Kind = "UNAVAILABLE"
	// Migrating: 477 MIGRATION_IN_PROGRESS, the portal moving data centre; HubSpot says when to come back.
	Migrating Kind = "MIGRATING"
	// Internal: Convrs's own trouble (its database, cache, a bug).
	Internal Kind = "INTERNAL"
)

// StatusMigrationInProgress is HubSpot's 477 answer while a portal moves to another data centre.
const StatusMigrationInProgress = 477

// ErrNeedsReconnect marks errors saying the integration is in ERROR because HubSpot refused its authorization.
var ErrNeedsReconnect = errors.New("hubspot needs reconnecting")

// Of sorts err. Convrs's own application errors keep their meaning: EUNAVAILABLE of an integration in ERROR
// is Refused, ERATELIMITED RateLimited.
func Of(err error) Kind {
	if err == nil {
		return None
	}
	if errors.Is(err, ErrNeedsReconnect) {
		return Refused
	}
	var re *hubspot.RefreshError
	if errors.As(err, &re) {
		if re.Permanent {
			return Refused
		}
		return Unavailable
	}
	var mig *hubspot.MigrationError
	if errors.As(err, &mig) {
		return Migrating
	}
	var er *hubspot.ErrorResponse
	if errors.As(err, &er) {
		return ofResponse(er)
	}
	if errors.Is(err, context.DeadlineExceeded) || hubspot.IsRetryable(err) {
		return Unavailable
	}
	switch convrs.ErrorCode(err) {
	case convrs.ERATELIMITED:
		return RateLimited
	case convrs.EUNAVAILABLE:
		return Unavailable
	}
	return Internal
}

func ofResponse(er *hubspot.ErrorResponse) Kind {
	code := er.StatusCode()
	switch {
	case code == StatusMigrationInProgress || er.Category == "MIGRATION_IN_PROGRESS":
		return Migrating
	case code == http.StatusTooManyRequests:
		return RateLimited
	case code == http.StatusUnauthorized:
		if er.Category == hubspot.CategoryExpiredAuthentication {
			// Expired even after the client's one refresh-and-retry: a renewal will come, not a refusal.
			return Unavailable
		}
		return Refused
	case code == http.StatusForbidden:
		return MissingScopes
	case code == http.StatusNotFound || er.Category == hubspot.CategoryObjectNotFound:
		return NotFound
	case code >= 500 || code == http.StatusRequestTimeout || code == http.StatusLocked || code == 0:
		return Unavailable
	}
	return Invalid
}

// RefusedAuthentication reports whether an HTTP 401 answer's category means HubSpot refused the token for good
// (INVALID_AUTHENTICATION, or anything but EXPIRED_AUTHENTICATION, which is renewed and retried).
func RefusedAuthentication(status int, category string) bool {
	return status == http.StatusUnauthorized && category != hubspot.CategoryExpiredAuthentication
}

// Detail is HubSpot's own answer in one line for the admin's Details and the log: "HubSpot answered 400
// VALIDATION_ERROR: … (correlation ID …)"; for a failure without an answer, the error itself. "" for nil.
func Detail(err error) string {
	if err == nil {
		return ""
	}
	var er *hubspot.ErrorResponse
	if errors.As(err, &er) {
		var b strings.Builder
		fmt.Fprintf(&b, "HubSpot answered %d", er.StatusCode())
		if c := cmpOr(er.Category, er.ErrorType); c != "" {
			b.WriteString(" " + c)
		}
		if msg := er.Detail(); msg != "" {
			b.WriteString(": " + msg)
		}
		if er.CorrelationID != "" {
			b.WriteString(" (correlation ID " + er.CorrelationID + ")")
		}
		return clip(b.String())
	}
	var app *convrs.Error
	if errors.As(err, &app) {
		return clip(app.Message)
	}
	return clip(err.Error())
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// clip bounds a detail kept on a record.
func clip(s string) string {
	const max = 1000
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// NeedsReconnect is the error of a call made while the integration is in ERROR: EUNAVAILABLE with the reason,
// and ErrNeedsReconnect for Of.
func NeedsReconnect(reason string) error {
	return fmt.Errorf("%w: %w", ErrNeedsReconnect, convrs.Errorf(convrs.EUNAVAILABLE, "HubSpot needs reconnecting: %s", reason))
}
