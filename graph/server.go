package graph

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/convrs/gateway/convrs"
)

// ServerOptions configures NewServer. Zero values take the defaults named on each field.
type ServerOptions struct {
	// OriginPatterns are the websocket origins accepted besides the request's own host.
	OriginPatterns []string
	// Authenticate reads the session token of a websocket's connection_init payload and returns the context
	// carrying its principal, or an error that refuses the connection.
	Authenticate func(ctx context.Context, payload map[string]any) (context.Context, error)
	// Introspection allows __schema and __type (development only).
	Introspection bool
	// Limits bound each document; the zero value means DefaultLimits.
	Limits Limits
	// InitTimeout closes (4408) a websocket that sends no connection_init in time (default 3 s: a client sends
	// it as soon as the socket opens).
	InitTimeout time.Duration
	// MaxConnections caps the authenticated websockets of this process (default 1000); a connection_init
	// beyond it is closed with 4429.
	MaxConnections int
	// MaxPendingConnections caps the websockets of this process that have not completed connection_init yet
	// (default 100), MaxPendingPerAddress those of one client address (default 10); more are answered 503.
	// They are separate from MaxConnections, so token-less sockets cannot take signed-in agents' places.
	MaxPendingConnections int
	MaxPendingPerAddress  int
	// MaxConnectionsPerAddress caps every websocket of one client address, pending or not (default 200).
	MaxConnectionsPerAddress int
	// MaxConnectionsPerStaff (default 20) and MaxConnectionsPerWorkspace (default 300) cap the authenticated
	// websockets of one staff member and of one workspace; a connection_init beyond them is closed with 4429.
	MaxConnectionsPerStaff     int
	MaxConnectionsPerWorkspace int
	// RequireOrigin refuses (403) a websocket upgrade without an Origin header: every browser sends one, so a
	// socket without it comes from a script (production; such clients use POST).
	RequireOrigin bool
	// ClientAddress names the client of a request for the per-address caps (default: the TCP peer's IP).
	ClientAddress func(r *http.Request) string
	// MaxOperationsPerConnection caps the running operations (subscriptions) of one websocket (default 20).
	MaxOperationsPerConnection int
	// SessionCheckTTL is how long a staff member's current role is reused before it is read again
	// (default 2 s; negative: read on every operation).
	SessionCheckTTL time.Duration
	// SessionRecheckInterval is how often an open websocket re-reads its staff member, to close it (4401)
	// once they are removed (default 30 s).
	SessionRecheckInterval time.Duration
	// Now is the clock of session expiry checks (default time.Now).
	Now func() time.Time
}

func (o *ServerOptions) defaults() {
	if o.Limits == (Limits{}) {
		o.Limits = DefaultLimits
	}
	if o.InitTimeout == 0 {
		o.InitTimeout = 3 * time.Second
	}
	for _, c := range []struct {
		v   *int
		def int
	}{
		{&o.MaxConnections, 1000}, {&o.MaxPendingConnections, 100}, {&o.MaxPendingPerAddress, 10},
		{&o.MaxConnectionsPerAddress, 200}, {&o.MaxConnectionsPerStaff, 20}, {&o.MaxConnectionsPerWorkspace, 300},
	} {
		if *c.v == 0 {
			*c.v = c.def
		}
	}
	if o.ClientAddress == nil {
		o.ClientAddress = remoteHost
	}
	if o.MaxOperationsPerConnection == 0 {
		o.MaxOperationsPerConnection = 20
	}
	if o.SessionCheckTTL == 0 {
		o.SessionCheckTTL = 2 * time.Second
	}
	if o.SessionRecheckInterval == 0 {
		o.SessionRecheckInterval = 30 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Server is the GraphQL endpoint: gqlgen's handler behind the websocket connection cap.
type Server struct {
	gql      *handler.Server
	ws       transport.Websocket
	wsExec   *executor.Executor
	opts     ServerOptions
	sessions *sessionChecker
	stats    *Stats
	budget   *wsBudget
	logger   *slog.Logger
	watch    sessionWatch
	shared   sharedResponses
	sockets  openSockets
}

// NewServer returns the GraphQL server with its transports configured explicitly: POST, and websockets
// (graphql-ws) whose connection_init must carry a valid session token, with a keep-alive ping. Every
// operation re-reads the caller's role, refuses an expired session and runs with its own dataloaders.
func NewServer(r *Resolver, opts ServerOptions) *Server {
	opts.defaults()
	s := &Server{opts: opts, stats: &Stats{}, logger: r.Logger}
	s.budget = newWSBudget(&s.opts)
	s.stats.budget = s.budget
	s.sessions = newSessionChecker(r.StaffService, opts.SessionCheckTTL, opts.Now)
	schema := NewExecutableSchema(Config{Resolvers: r})
	srv := handler.New(schema)
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.POST{})
	// Websockets run on an executor of their own, configured the same, so that a socket's goroutine starts at
	// the transport: a shallower stack while it waits for the client (see serveSocket).
	s.ws = transport.Websocket{
		Implementation: trackedImplementation{inner: transport.CoderWebsocketImplementation{
			AcceptOptions: websocket.AcceptOptions{OriginPatterns: opts.OriginPatterns},
		}, initTimeout: opts.InitTimeout},
		KeepAlivePingInterval: 10 * time.Second,
		InitFunc:              s.initWebsocket,
	}
	s.wsExec = executor.New(schema)
	cache := lru.New[*ast.QueryDocument](1000)
	for _, e := range []executorConfig{srv, s.wsExec} {
		e.SetQueryCache(cache)
		e.SetParserTokenLimit(opts.Limits.Tokens)
		e.Use(&limitsExtension{limits: opts.Limits, introspection: opts.Introspection})
		if opts.Introspection {
			e.Use(extension.Introspection{})
		}
		e.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
			return s.aroundOperation(ctx, r, next)
		})
		e.AroundFields(SplitFieldErrors)
		e.SetErrorPresenter(ErrorPresenter(r.Logger))
		e.SetRecoverFunc(Recover(r.Logger))
	}
	// Subscriptions run on websockets only: their shared responses need not be looked for on every field of
	// every query and mutation.
	s.wsExec.AroundFields(tapRootField)
	s.wsExec.AroundResponses(s.aroundResponse)
	s.gql = srv
	return s
}

// executorConfig is what NewServer configures on gqlgen's handler and on the websockets' executor alike.
type executorConfig interface {
	SetQueryCache(graphql.Cache[*ast.QueryDocument])
	SetParserTokenLimit(int)
	Use(graphql.HandlerExtension)
	AroundOperations(graphql.OperationMiddleware)
	AroundFields(graphql.FieldMiddleware)
	SetErrorPresenter(graphql.ErrorPresenterFunc)
	SetRecoverFunc(graphql.RecoverFunc)
}

// Stats returns the live websocket counters (for /metrics).
func (s *Server) Stats() *Stats { return s.stats }

// ServeHTTP serves POST requests and websocket upgrades. An upgrade is a pending socket until its
// connection_init is accepted: beyond the pending caps (per process, per client address) it is answered 503.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Upgrade") == "" {
		s.gql.ServeHTTP(w, r)
		return
	}
	if s.opts.RequireOrigin && r.Header.Get("Origin") == "" {
		s.stats.refusedConnections.Add(1)
		writeGraphQLError(w, http.StatusForbidden, convrs.EFORBIDDEN, "Websockets are for browsers (send Origin); use POST /query otherwise.")
		return
	}
	addr := s.opts.ClientAddress(r)
	if !s.budget.admit(addr) {
		s.stats.refusedConnections.Add(1)
		w.Header().Set("Retry-After", "5")
		writeGraphQLError(w, http.StatusServiceUnavailable, convrs.EUNAVAILABLE, "Too many open connections; try again shortly.")
		return
	}
	s.stats.connections.Add(1)
	st := &wsState{stats: s.stats, done: make(chan struct{}), addr: addr}
	ctx, done := s.socketContext(r, st)
	hw := newHandoffWriter(w)
	r = r.WithContext(context.WithValue(ctx, wsStateKey{}, st))
	// An upgrade has no body, and a body wrapper (http.MaxBytesReader) would keep net/http's writer reachable.
	r.Body, r.GetBody = http.NoBody, nil
	go s.serveSocket(hw, r, st, done)
	<-hw.released
}

// serveSocket serves a websocket upgrade off its request's goroutine (see handoffWriter) until the socket ends.
// The goroutine's stack is what it holds while the client is idle: it starts at gqlgen's transport (not at its
// handler) and ends in one deferred call, so that it stays within 8 KiB.
func (s *Server) serveSocket(hw *handoffWriter, r *http.Request, st *wsState, done func()) {
	defer s.endSocket(hw, r, st, done)
	s.ws.Do(hw, r.WithContext(graphql.StartOperationTrace(r.Context())), s.wsExec)
}

// endSocket gives back what a socket held, and recovers (logs) its panic as the request's goroutine would
// have.
func (s *Server) endSocket(hw *handoffWriter, r *http.Request, st *wsState, done func()) {
	if p := recover(); p != nil && p != http.ErrAbortHandler {
		s.logger.ErrorContext(r.Context(), "graphql: websocket panic", "panic", p, "stack", string(debug.Stack()))
	}
	done()
	s.unwatchSession(st)
	st.stop()
	s.budget.release(st)
	s.stats.connections.Add(-1)
	hw.release() // no upgrade happened: the handler has answered
}

// initWebsocket authenticates connection_init, checks the staff member still exists and arms the timer that
// closes the socket with 4401 when the session expires.
func (s *Server) initWebsocket(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	ctx, err := s.opts.Authenticate(ctx, payload)
	if err == nil {
		var p *convrs.Principal
		if p, err = s.sessions.check(ctx, convrs.PrincipalFromContext(ctx)); err == nil && p == nil {
			err = errSignIn
		}
		if err == nil {
			ctx = convrs.NewContextWithPrincipal(ctx, p)
			if st := wsStateFrom(ctx); st != nil {
				if !s.budget.promote(st, p.WorkspaceID, p.StaffID) {
					s.stats.refusedConnections.Add(1)
					// 4429: the client retries later (graphql-ws backs off); a sign-in would not help.
					return transport.WithWebsocketCloseCode(ctx, closeTooManyConnections), nil,
						convrs.Errorf(convrs.EUNAVAILABLE, "Too many open connections for this account or workspace; close a tab or try again shortly.")
				}
				if p.Expires.IsZero() {
					st.cancelTimer()
				} else {
					st.closeAt(p.Expires.Sub(s.opts.Now()), closeSessionExpired, "session expired", &s.stats.expiredClosed)
				}
				s.watchSession(ctx, st, p)
			}
		}
	}
	if err != nil {
		if convrs.ErrorCode(err) == convrs.EUNAUTHORIZED {
			// 4401 tells the client to sign in again rather than reconnect.
			return transport.WithWebsocketCloseCode(ctx, closeSessionExpired), nil, err
		}
		s.logger.ErrorContext(ctx, "graphql: websocket session check", "error", err.Error())
		return ctx, nil, convrs.Errorf(convrs.EUNAVAILABLE, "The session cannot be checked; try again shortly.")
	}
	return ctx, nil, nil
}

// watchSession closes a websocket (4401) once its staff member is gone, however long its subscriptions run.
// One goroutine rechecks every open websocket of the server (not one per socket: an idle agent's connection
// should cost little); it ends when none is left.
func (s *Server) watchSession(ctx context.Context, st *wsState, p *convrs.Principal) {
	s.watch.mu.Lock()
	defer s.watch.mu.Unlock()
	if s.watch.conns == nil {
		s.watch.conns = make(map[*wsState]watchedSession)
	}
	s.watch.conns[st] = watchedSession{ctx: ctx, p: p}
	if !s.watch.running {
		s.watch.running = true
		go s.recheckSessions()
	}
}

func (s *Server) unwatchSession(st *wsState) {
	s.watch.mu.Lock()
	delete(s.watch.conns, st)
	s.watch.mu.Unlock()
}

func (s *Server) recheckSessions() {
	tick := time.NewTicker(s.opts.SessionRecheckInterval)
	defer tick.Stop()
	for range tick.C {
		s.watch.mu.Lock()
		if len(s.watch.conns) == 0 {
			s.watch.running = false
			s.watch.mu.Unlock()
			return
		}
		batch := make(map[*wsState]watchedSession, len(s.watch.conns))
		maps.Copy(batch, s.watch.conns)
		s.watch.mu.Unlock()
		for st, w := range batch {
			if cur, err := s.sessions.check(w.ctx, w.p); err == nil && cur == nil {
				st.closeAt(0, closeSessionExpired, "session ended", &s.stats.expiredClosed)
				s.unwatchSession(st)
			}
		}
	}
}

// sessionWatch is the set of open websockets whose sessions recheckSessions rechecks.
type sessionWatch struct {
	mu      sync.Mutex
	conns   map[*wsState]watchedSession
	running bool
}

type watchedSession struct {
	ctx context.Context
	p   *convrs.Principal
}

const (
	closeSessionExpired     = 4401
	closeTooManyConnections = 4429
)

var errSignIn = convrs.Errorf(convrs.EUNAUTHORIZED, "Sign in to continue.")

// aroundOperation runs an operation with the caller's current session (or none), its own dataloaders, and,
// on a websocket, within the connection's operation cap.
func (s *Server) aroundOperation(ctx context.Context, r *Resolver, next graphql.OperationHandler) graphql.ResponseHandler {
	if st := wsStateFrom(ctx); st != nil {
		if !st.startOperation(s.opts.MaxOperationsPerConnection) {
			s.stats.refusedOperations.Add(1)
			return oneError(convrs.EINVALID, "Too many operations are running on this connection.")
		}
		context.AfterFunc(ctx, st.endOperation)
	}
	p, err := s.sessions.check(ctx, convrs.PrincipalFromContext(ctx))
	if err != nil {
		// Shown and logged as any resolver's error is (cancelled, unreachable, internal).
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{ErrorPresenter(r.Logger)(ctx, fmt.Errorf("session check: %w", err))}})
	}
	// Without a principal the resolvers answer EUNAUTHORIZED, each with its own path.
	ctx = convrs.NewContextWithPrincipal(ctx, p)
	if graphql.HasOperationContext(ctx) && graphql.GetOperationContext(ctx).Operation != nil &&
		graphql.GetOperationContext(ctx).Operation.Operation == ast.Subscription {
		return resyncOnEnd(next(withEventLoaders(withTap(ctx, p))), wsStateFrom(ctx) != nil)
	}
	return next(withLoaders(ctx, r))
}

func oneError(code, message string) graphql.ResponseHandler {
	return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{Message: message, Extensions: map[string]any{"code": code}}}})
}
