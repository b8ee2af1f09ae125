package graph

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"sync"
)

// An idle websocket should cost its process little (agents keep one open all day), so a socket does not keep
// the net/http request that opened it: once the upgrade has hijacked the connection, the socket is served by a
// goroutine of its own and the request's handler returns. net/http's goroutine for the connection then ends,
// and with it its deep stack (the server's connection loop, the middleware) and the connection's 4 KiB read
// and write buffers, which would otherwise stay reachable from that goroutine for the socket's whole life. The
// socket reads and writes through buffers sized for GraphQL messages instead (a larger message goes past
// them).
const (
	wsReadBuffer  = 512
	wsWriteBuffer = 1024
)

// handoffWriter is the ResponseWriter of an upgrade served off the request's goroutine. Its Hijack hands the
// connection over with small buffers and lets the request's handler return.
type handoffWriter struct {
	http.ResponseWriter
	once     sync.Once
	released chan struct{} // closed once the request's handler may return
}

func newHandoffWriter(w http.ResponseWriter) *handoffWriter {
	return &handoffWriter{ResponseWriter: w, released: make(chan struct{})}
}

// release lets the request's handler return (after the hijack, or when no upgrade happened).
func (h *handoffWriter) release() { h.once.Do(func() { close(h.released) }) }

// Unwrap lets http.ResponseController reach the writer's other methods.
func (h *handoffWriter) Unwrap() http.ResponseWriter { return h.ResponseWriter }

// Hijack takes the connection from net/http, with what it has already read from the client (the start of the
// websocket stream) and after flushing what it has written (the 101 response), then releases the handler.
func (h *handoffWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if err := brw.Flush(); err != nil {
		conn.Close()
		return nil, nil, err
	}
	// The client may have sent its first messages already: they stay buffered (the websocket library reads
	// what is buffered, then the connection).
	n := brw.Reader.Buffered()
	early, _ := brw.Reader.Peek(n)
	r := bufio.NewReaderSize(io.MultiReader(bytes.NewReader(bytes.Clone(early)), conn), max(wsReadBuffer, n))
	if _, err := r.Peek(n); err != nil {
		conn.Close()
		return nil, nil, err
	}
	// Forget net/http's writer, which would keep its connection, and so its buffers, reachable.
	h.ResponseWriter = hijackedWriter{header: h.Header()}
	h.release()
	return conn, bufio.NewReadWriter(r, bufio.NewWriterSize(conn, wsWriteBuffer)), nil
}

// hijackedWriter stands for net/http's writer once the connection is hijacked: its header stays readable (the
// websocket library reads the negotiated subprotocol there), nothing can be written.
type hijackedWriter struct{ header http.Header }

func (w hijackedWriter) Header() http.Header     { return w.header }
func (hijackedWriter) Write([]byte) (int, error) { return 0, http.ErrHijacked }
func (hijackedWriter) WriteHeader(int)           {}

// socketContext is the context of a websocket served off its request: the request's values without its end
// (the handler returns as soon as the socket is hijacked), ended instead when the socket's http.Server shuts
// down, as the request's would have been by the listener's context. done forgets the socket.
func (s *Server) socketContext(r *http.Request, st *wsState) (ctx context.Context, done func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	hs, _ := r.Context().Value(http.ServerContextKey).(*http.Server)
	s.sockets.mu.Lock()
	defer s.sockets.mu.Unlock()
	if s.sockets.byServer == nil {
		s.sockets.byServer = make(map[*http.Server]*serverSockets)
	}
	ss := s.sockets.byServer[hs]
	if ss == nil {
		ss = &serverSockets{cancels: make(map[*wsState]context.CancelFunc)}
		s.sockets.byServer[hs] = ss
		if hs != nil {
			hs.RegisterOnShutdown(func() { s.closeSockets(ss) })
		}
	}
	if ss.closed {
		cancel()
	}
	ss.cancels[st] = cancel
	return ctx, func() {
		cancel()
		s.sockets.mu.Lock()
		delete(ss.cancels, st)
		s.sockets.mu.Unlock()
	}
}

// closeSockets ends the websockets of an http.Server that is shutting down, and those it opens afterwards.
func (s *Server) closeSockets(ss *serverSockets) {
	s.sockets.mu.Lock()
	defer s.sockets.mu.Unlock()
	ss.closed = true
	for _, cancel := range ss.cancels {
		cancel()
	}
}

// openSockets are the websockets served off their requests, by the http.Server that accepted them.
type openSockets struct {
	mu       sync.Mutex
	byServer map[*http.Server]*serverSockets
}

type serverSockets struct {
	cancels map[*wsState]context.CancelFunc
	closed  bool // the server is shutting down
}
