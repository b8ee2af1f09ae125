package graph

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/convrs/gateway/convrs"
)

// sessionChecker turns the principal a token names into the principal as it stands now: nil once the
// session has expired or the staff member is gone, with the role they have now. Answers are reused for ttl
// at most, so a demotion or removal takes effect within seconds.
type sessionChecker struct {
	staff convrs.StaffService
	ttl   time.Duration
	now   func() time.Time

	mu    sync.Mutex
	cache map[string]sessionEntry
}

type sessionEntry struct {
	staff *convrs.Staff // nil: no such staff member
	at    time.Time
}

// maxSessionEntries bounds the cache; past it the cache starts again empty.
const maxSessionEntries = 10000

func newSessionChecker(staff convrs.StaffService, ttl time.Duration, now func() time.Time) *sessionChecker {
	return &sessionChecker{staff: staff, ttl: ttl, now: now, cache: map[string]sessionEntry{}}
}

// check returns the current principal for p (nil for none), or an error when the staff cannot be read.
// System principals (no staff member) are returned as they are.
func (c *sessionChecker) check(ctx context.Context, p *convrs.Principal) (*convrs.Principal, error) {
	if p == nil || p.StaffID == "" {
		return p, nil
	}
	now := c.now()
	if !p.Expires.IsZero() && !now.Before(p.Expires) {
		return nil, nil
	}
	key := p.WorkspaceID + "/" + p.StaffID
	c.mu.Lock()
	e, ok := c.cache[key]
	c.mu.Unlock()
	if !ok || c.ttl < 0 || now.Sub(e.at) >= c.ttl || now.Before(e.at) {
		s, err := c.staff.FindStaff(convrs.NewContextWithPrincipal(ctx, p), p.StaffID)
		switch convrs.ErrorCode(err) {
		case "":
		case convrs.ENOTFOUND:
			s = nil
		default:
			return nil, err
		}
		e = sessionEntry{staff: s, at: now}
		c.mu.Lock()
		if len(c.cache) >= maxSessionEntries {
			c.cache = map[string]sessionEntry{}
		}
		c.cache[key] = e
		c.mu.Unlock()
	}
	if e.staff == nil || e.staff.WorkspaceID != p.WorkspaceID || !e.staff.Role.Valid() {
		return nil, nil
	}
	if e.staff.Role == p.Role {
		return p, nil
	}
	cur := *p
	cur.Role = e.staff.Role
	return &cur, nil
}

// Stats counts the websockets of one Server. Read it with the methods; they are safe for concurrent use.
type Stats struct {
	budget                                *wsBudget
	connections, operations               atomic.Int64
	refusedConnections, refusedOperations atomic.Int64
	expiredClosed, initTimeouts           atomic.Int64
}

// Connections is the number of open websockets.
func (s *Stats) Connections() int64 { return s.connections.Load() }

// PendingConnections is the number of open websockets that have not completed connection_init.
func (s *Stats) PendingConnections() int64 {
	if s.budget == nil {
		return 0
	}
	p, _ := s.budget.counts()
	return int64(p)
}

// Operations is the number of operations (mostly subscriptions) running on websockets.
func (s *Stats) Operations() int64 { return s.operations.Load() }

// RefusedConnections counts the websockets refused by a cap (at the upgrade or at connection_init) or for
// lacking an Origin where one is required.
func (s *Stats) RefusedConnections() int64 { return s.refusedConnections.Load() }

// RefusedOperations counts the operations refused because their websocket ran MaxOperationsPerConnection.
func (s *Stats) RefusedOperations() int64 { return s.refusedOperations.Load() }

// InitTimeouts counts the websockets closed (4408) because they sent no connection_init in time.
func (s *Stats) InitTimeouts() int64 { return s.initTimeouts.Load() }

// ExpiredClosed counts the websockets closed (4401) because their session expired or their staff member
// was removed.
func (s *Stats) ExpiredClosed() int64 { return s.expiredClosed.Load() }

type wsStateKey struct{}

// wsState is one websocket's bookkeeping: its connection (to close it from a timer) and its running
// operations.
type wsState struct {
	stats    *Stats
	done     chan struct{} // closed when the connection has ended
	stopOnce sync.Once
	// addr is the client address; promoted, staffKey and workspaceID are the budget's (under its lock).
	addr                  string
	promoted              bool
	staffKey, workspaceID string

	mu     sync.Mutex
	conn   transport.WebsocketConn
	timer  *time.Timer
	ops    int
	closed bool
}

func wsStateFrom(ctx context.Context) *wsState {
	st, _ := ctx.Value(wsStateKey{}).(*wsState)
	return st
}

func (st *wsState) setConn(c transport.WebsocketConn) {
	st.mu.Lock()
	st.conn = c
	st.mu.Unlock()
}

// closeAt closes the socket with code after d (replacing an earlier timer) and then counts it in counter.
func (st *wsState) closeAt(d time.Duration, code int, reason string, counter *atomic.Int64) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.timer != nil {
		st.timer.Stop()
	}
	st.timer = time.AfterFunc(max(d, 0), func() {
		st.mu.Lock()
		conn, closed := st.conn, st.closed
		st.closed = true
		st.mu.Unlock()
		if conn != nil && !closed {
			counter.Add(1)
			_ = conn.WriteClose(code, reason)
			_ = conn.Close()
		}
	})
}

// cancelTimer stops the pending close, if any.
func (st *wsState) cancelTimer() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.timer != nil {
		st.timer.Stop()
	}
}

func (st *wsState) stop() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.stopOnce.Do(func() { close(st.done) })
	st.closed = true
	if st.timer != nil {
		st.timer.Stop()
	}
	st.stats.operations.Add(-int64(st.ops))
	st.ops = 0
}

func (st *wsState) startOperation(limit int) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.ops >= limit || st.closed {
		return false
	}
	st.ops++
	st.stats.operations.Add(1)
	return true
}

func (st *wsState) endOperation() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.ops > 0 {
		st.ops--
		st.stats.operations.Add(-1)
	}
}

// trackedImplementation hands each accepted connection to its wsState, so that timers can close it, and
// arms the init timeout: graphql-transport-ws closes a socket without connection_init with 4408.
type trackedImplementation struct {
	inner       transport.WebsocketImplementation
	initTimeout time.Duration
}

func (t trackedImplementation) Accept(w http.ResponseWriter, r *http.Request, opts transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	c, err := t.inner.Accept(w, r, opts)
	if err == nil {
		if st := wsStateFrom(r.Context()); st != nil {
			st.setConn(c)
			st.closeAt(t.initTimeout, closeInitTimeout, "connection initialisation timeout", &st.stats.initTimeouts)
		}
	}
	return c, err
}

const closeInitTimeout = 4408

func writeGraphQLError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{"message": message, "extensions": map[string]string{"code": code}}}})
}
