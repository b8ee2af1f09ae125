package graph_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/convrs/gateway/graph"
	"github.com/convrs/gateway/seed"
)

// rawSubscriber is the cheapest client of a graphql-transport-ws subscription: a bare TCP connection that has
// done the upgrade, connection_init and subscribe, and then only holds the socket open. It spends no
// goroutine and almost no memory of its own, so an in-process measure of the server's cost per socket is not
// blurred by its clients.
type rawSubscriber struct {
	conn net.Conn
	r    *bufio.Reader
}

func dialRaw(addr, token, query string) (*rawSubscriber, error) {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	s := &rawSubscriber{conn: c, r: bufio.NewReaderSize(c, 512)}
	// The upgrade and connection_init go in one write, as a client that does not wait for the 101 sends them:
	// the server has read connection_init with the request.
	var req bytes.Buffer
	fmt.Fprintf(&req, "GET /query HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"+
		"Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n", addr)
	req.Write(frame(map[string]any{"type": "connection_init", "payload": map[string]any{"authorization": "Bearer " + token}}))
	_, err = c.Write(req.Bytes())
	if err == nil {
		err = s.readUntil(`"connection_ack"`)
	}
	if err == nil {
		err = s.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": query}})
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	_ = c.SetDeadline(time.Time{})
	return s, nil
}

// send writes v as one frame.
func (s *rawSubscriber) send(v any) error {
	_, err := s.conn.Write(frame(v))
	return err
}

// frame is v as one masked text frame (a zero mask key: the payload goes as is).
func frame(v any) []byte {
	b, _ := json.Marshal(v)
	var f bytes.Buffer
	f.WriteByte(0x81)
	if len(b) < 126 {
		f.WriteByte(0x80 | byte(len(b)))
	} else {
		f.Write([]byte{0x80 | 126, byte(len(b) >> 8), byte(len(b))})
	}
	f.Write([]byte{0, 0, 0, 0})
	f.Write(b)
	return f.Bytes()
}

// readUntil reads the stream (HTTP response and frames alike) until it has seen want.
func (s *rawSubscriber) readUntil(want string) error {
	var seen []byte
	for !bytes.Contains(seen, []byte(want)) {
		b, err := s.r.ReadByte()
		if err != nil {
			return fmt.Errorf("waiting for %s after %q: %w", want, seen, err)
		}
		seen = append(seen, b)
	}
	return nil
}

// memSnapshot is what the runtime holds after a full collection.
type memSnapshot struct {
	goroutines                int
	stack, heapLive, heapGoal uint64
	rss                       int64
}

func snapshot() memSnapshot {
	for range 6 {
		runtime.GC()
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	goal := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}}
	metrics.Read(goal)
	return memSnapshot{
		goroutines: runtime.NumGoroutine(), stack: ms.StackInuse, heapLive: ms.HeapAlloc,
		heapGoal: goal[0].Value.Uint64(), rss: selfRSS(),
	}
}

func selfRSS() int64 {
	b, _ := os.ReadFile("/proc/self/status")
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkIdleSubscription opens b.N websockets, each with one idle hubspotSyncUpdated subscription, and
// reports what one costs the server: goroutines, goroutine stack bytes, live heap bytes after a collection,
// the GC's heap goal (which counts stacks too) and RSS, each per socket. Run it with a fixed count:
//
//	go test -run '^$' -bench IdleSubscription -benchtime 2000x ./graph/
func BenchmarkIdleSubscription(b *testing.B) {
	s := newStackMode(b, true, func(o *graph.ServerOptions) {
		o.MaxConnections, o.MaxConnectionsPerAddress = 1<<20, 1<<20
		o.MaxConnectionsPerStaff, o.MaxConnectionsPerWorkspace = 1<<20, 1<<20
	})
	srv := httptest.NewServer(s.handler)
	defer srv.Close()
	token := s.token(b, seed.AgentID)
	addr := srv.Listener.Addr().String()
	s.syncs.subscribed = make(chan struct{}, b.N)
	// A first socket warms what every socket shares (the topic's fan-out, caches, pools).
	warm, err := dialRaw(addr, token, `subscription { hubspotSyncUpdated { conversationId status } }`)
	if err != nil {
		b.Fatal(err)
	}
	defer warm.conn.Close()
	<-s.syncs.subscribed

	before := snapshot()
	b.ResetTimer()
	subs := make([]*rawSubscriber, 0, b.N)
	defer func() {
		for _, c := range subs {
			c.conn.Close()
		}
	}()
	for range b.N {
		c, err := dialRaw(addr, token, `subscription { hubspotSyncUpdated { conversationId status } }`)
		if err != nil {
			b.Fatalf("socket %d: %v", len(subs)+1, err)
		}
		subs = append(subs, c)
	}
	for range b.N {
		select {
		case <-s.syncs.subscribed:
		case <-time.After(30 * time.Second):
			b.Fatal("subscriptions not in place within 30 s")
		}
	}
	b.StopTimer()
	after := snapshot()
	n := float64(b.N)
	b.ReportMetric(float64(after.goroutines-before.goroutines)/n, "goroutines/socket")
	b.ReportMetric(float64(after.stack-before.stack)/n, "stack-B/socket")
	b.ReportMetric((float64(after.heapLive)-float64(before.heapLive))/n, "heap-B/socket")
	b.ReportMetric((float64(after.heapGoal)-float64(before.heapGoal))/n, "heapgoal-B/socket")
	b.ReportMetric(float64(after.rss-before.rss)/n, "rss-B/socket")
}
