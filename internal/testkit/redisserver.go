package testkit

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"testing"
	"time"
)

// RedisServer is a redis-server of a test's own, which the test may stop and start again (an outage) without
// touching the shared test Redis. It listens on one port for its whole life, keeps nothing on disk and is
// stopped when the test ends.
type RedisServer struct {
	tb   testing.TB
	addr string
	cmd  *exec.Cmd
}

// StartRedisServer starts a private redis-server on a free local port. Without the redis-server binary the
// test is skipped (it fails with CI=true).
func StartRedisServer(tb testing.TB) *RedisServer {
	tb.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("redis-server is not installed, but CI=true requires the Redis outage tests: %v", err)
		}
		tb.Skipf("redis-server is not installed (apt-get install redis-server): skipping the Redis outage test")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("find a free port: %v", err)
	}
	s := &RedisServer{tb: tb, addr: l.Addr().String()}
	_ = l.Close()
	s.Start()
	tb.Cleanup(s.Stop)
	return s
}

// Addr is the server's host:port.
func (s *RedisServer) Addr() string { return s.addr }

// Start starts the server (again) and returns once it answers PING.
func (s *RedisServer) Start() {
	s.tb.Helper()
	if s.cmd != nil {
		s.tb.Fatal("redis-server is already running")
	}
	_, port, _ := net.SplitHostPort(s.addr)
	cmd := exec.Command("redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		s.tb.Fatalf("start redis-server: %v", err)
	}
	s.cmd = cmd
	Eventually(s.tb, "the private redis-server on "+s.addr+" answers PING", s.answers)
}

// Stop kills the server (as a crash would) and returns once it has exited and its port refuses connections.
func (s *RedisServer) Stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

func (s *RedisServer) answers() bool {
	c, err := net.DialTimeout("tcp", s.addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && line == "+PONG\r\n"
}
