package hubspotsim

import (
	"bytes"
	"context"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// StatusMigrationInProgress is HubSpot's 477: the portal is moving between data hosting locations; the
// Retry-After header says how many seconds to wait (up to a day).
const StatusMigrationInProgress = 477

// defaultRetryAfter is the Retry-After of an injected 477 when none is set.
const defaultRetryAfter = time.Hour

// LostAnswer is how an answer is lost after HubSpot stored a write.
type LostAnswer string

// The ways an answer can be lost once the write is stored.
const (
	// LostAs502 answers 502 Bad Gateway, as HubSpot's edge does when the backend's answer does not reach it.
	LostAs502 LostAnswer = "502"
	// LostAsReset drops the connection (a TCP reset) without an answer.
	LostAsReset LostAnswer = "reset"
)

// Fault names recorded in RequestLog.Fault.
const (
	faultLatencyAfterWrite = "latency-after-write"
	faultLost              = "lost-answer"
	faultReset             = "reset"
)

// postWriteFaults are the faults applied once a write is stored. Guarded by Simulator.mu.
type postWriteFaults struct {
	latencyAfterWrite time.Duration
	loseNext          int
	loseRate          int
	loseAs            LostAnswer
}

// SetLatencyAfterWrite delays the answer of every API write (create, update, delete, merge, batch writes;
// not searches or batch reads) by d after the write is stored: the record is there, and visible to reads by
// ID, while the client still waits.
func (s *Simulator) SetLatencyAfterWrite(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.post.latencyAfterWrite = max(d, 0)
}

// LoseNext loses the answers of the next n API writes that succeed: each write is stored (and sends its
// webhooks), then the client gets a 502 or a reset connection instead of the answer.
func (s *Simulator) LoseNext(n int, as LostAnswer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.post.loseNext = max(n, 0)
	s.post.loseAs = normLost(as)
}

// SetLoseRate loses the answers of percent of the API writes that succeed, at random, as LoseNext does.
func (s *Simulator) SetLoseRate(percent int, as LostAnswer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.post.loseRate = min(max(percent, 0), 100)
	s.post.loseAs = normLost(as)
}

func normLost(as LostAnswer) LostAnswer {
	if as == LostAsReset {
		return LostAsReset
	}
	return LostAs502
}

// FailNextMigration makes the next n API calls answer 477 MIGRATION_IN_PROGRESS with Retry-After in whole
// seconds (default one hour when retryAfter is not positive).
func (s *Simulator) FailNextMigration(n int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext, s.failStatus = max(n, 0), StatusMigrationInProgress
	s.retryAfter = retryAfter
}

// SetIndexDelay changes how long after a write search starts to see it (writes already made keep theirs).
func (s *Simulator) SetIndexDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.IndexDelay = max(d, 0)
}

// SetAccessTokenTTL changes the lifetime of the access tokens issued from now on and cuts the ones already
// issued to it, so a connected client meets short-lived tokens without reconnecting: it must refresh before
// expires_in or on HubSpot's 401 EXPIRED_AUTHENTICATION. Refresh tokens are not affected.
func (s *Simulator) SetAccessTokenTTL(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.AccessTokenTTL = max(d, time.Second)
	latest := s.now().Add(s.opts.AccessTokenTTL)
	for _, at := range s.accessTokens {
		if at.expiresAt.After(latest) {
			at.expiresAt = latest
		}
	}
}

// isWrite reports whether an API request changes records (searches and batch reads are POSTs that do not).
func isWrite(r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return false
	}
	return !strings.HasSuffix(r.URL.Path, "/search") && !strings.HasSuffix(r.URL.Path, "/batch/read")
}

// postWrite is what happens to one write's answer.
type postWrite struct {
	latency time.Duration
	lose    bool
	as      LostAnswer
}

// planPostWriteLocked decides the post-write faults of a request. Caller holds s.mu.
func (s *Simulator) planPostWriteLocked(r *http.Request) postWrite {
	if !isWrite(r) {
		return postWrite{}
	}
	return postWrite{latency: s.post.latencyAfterWrite, as: s.post.loseAs,
		lose: s.post.loseNext > 0 || (s.post.loseRate > 0 && mrand.IntN(100) < s.post.loseRate)}
}

// serveWrite runs a write handler under its post-write faults: the handler's answer is held back, the
// latency waited, then the answer is sent, or lost when the write succeeded and a loss is due.
func (s *Simulator) serveWrite(w http.ResponseWriter, r *http.Request, plan postWrite, h func(http.ResponseWriter)) {
	bw := &bufferedWriter{header: w.Header()}
	h(bw)
	info := requestInfoFrom(r.Context())
	if plan.latency > 0 {
		info.fault = faultLatencyAfterWrite
		if !sleepCtx(r.Context(), plan.latency) {
			return
		}
	}
	lose := false
	if plan.lose && bw.status >= 200 && bw.status < 300 {
		s.mu.Lock()
		// Only a write that was stored loses its answer; LoseNext counts those.
		if s.post.loseNext > 0 {
			s.post.loseNext--
		}
		s.mu.Unlock()
		lose = true
	}
	switch {
	case lose && plan.as == LostAsReset:
		info.fault = faultReset
		resetConnection(w)
	case lose:
		info.fault = faultLost
		writeAPIError(w, http.StatusBadGateway, &apiError{
			Message:  "The server did not receive a timely answer from the upstream service. The request may have been processed.",
			Category: "BAD_GATEWAY",
		})
	default:
		bw.flush(w)
	}
}

// resetConnection drops the client's connection without an answer, as a TCP reset.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Not hijackable (HTTP/2): abort the handler, which closes the stream without an answer.
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// bufferedWriter holds a handler's answer back; headers go to the real writer's map.
type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.header }

func (b *bufferedWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

func (b *bufferedWriter) flush(w http.ResponseWriter) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	w.WriteHeader(b.status)
	_, _ = w.Write(b.body.Bytes())
}

// writeMigration answers HubSpot's 477 with Retry-After in whole seconds.
func writeMigration(w http.ResponseWriter, retryAfter time.Duration) {
	if retryAfter <= 0 {
		retryAfter = defaultRetryAfter
	}
	secs := int64((retryAfter + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	writeAPIError(w, StatusMigrationInProgress, &apiError{
		Message:  fmt.Sprintf("This account is being migrated to another data hosting location. Retry after %d seconds.", secs),
		Category: "MIGRATION_IN_PROGRESS",
	})
}
