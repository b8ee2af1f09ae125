package convrs

import (
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
)

// UnreachableMessage is what a person reads when a request failed because the gateway could not reach its
// own database or cache for a moment.
const UnreachableMessage = "Convrs could not reach its database or cache just now. Try again in a moment."

// Unreachable reports an error meaning that a service the gateway depends on over the network (its database or
// Redis) could not be reached or went away mid-request: a refused, reset or timed-out connection, or a database
// server shutting down or not yet accepting connections. Such a failure is ours and passing: the same request
// may succeed a moment later. Errors that only mean the request itself was wrong are not Unreachable.
func Unreachable(err error) bool {
	if err == nil {
		return false
	}
	var ne net.Error
	var state interface{ SQLState() string } // PostgreSQL's errors (pgconn.PgError)
	switch {
	case errors.As(err, &ne),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, driver.ErrBadConn):
		return true
	case errors.As(err, &state):
		// Class 08: connection exception; 57P01–57P03: the server is shutting down or not yet accepting.
		code := state.SQLState()
		return strings.HasPrefix(code, "08") || code == "57P01" || code == "57P02" || code == "57P03"
	}
	return false
}
