package graph

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/convrs/gateway/convrs"
)

// Subscribers of one process that run the same subscription document with the same variables, in the same
// workspace with the same role, share one execution per event: the first to handle an event executes its
// selection, the others send the same response. One event to 2,000 agents then costs one execution and 2,000
// writes, instead of 2,000 of each.
//
// It is sound because an event is shared only when its subscribers received the very same object (pubsub.Shared
// hands one object to every subscriber of a topic in this process), and because what a payload shows depends on
// the viewer only through their workspace and role (adminDetail): no field reachable from a subscription's
// payload reads the staff member themselves. A field that did would have to add the staff ID to shareKey.
//
// How: the subscription's root field hands gqlgen a proxy channel instead of the resolver's (tapRootField); each
// event is then received from the resolver's channel in aroundResponse, where it can be recognised, and passed
// through the proxy only when this subscriber executes it.

// sharedResponseTTL bounds how long an event's responses are kept for subscribers still to send it.
const sharedResponseTTL = 30 * time.Second

type shareKey struct {
	event     any // the event object, compared by identity
	operation [sha256.Size]byte
	workspace string
	role      convrs.Role
}

type sharedResponse struct {
	mu   sync.Mutex
	resp *graphql.Response // nil until a subscriber has executed the event
	at   time.Time
}

// sharedResponses are the responses of this process's recent events, by shareKey.
type sharedResponses struct {
	mu    sync.Mutex
	m     map[shareKey]*sharedResponse
	swept time.Time
}

func (s *sharedResponses) entry(k shareKey, now time.Time) *sharedResponse {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[shareKey]*sharedResponse)
	}
	if now.Sub(s.swept) > sharedResponseTTL/4 {
		for k, e := range s.m {
			if now.Sub(e.at) > sharedResponseTTL {
				delete(s.m, k)
			}
		}
		s.swept = now
	}
	e := s.m[k]
	if e == nil {
		e = &sharedResponse{at: now}
		s.m[k] = e
	}
	return e
}

type tapKey struct{}

// tap is one subscription's link between the resolver's channel and the proxy gqlgen reads.
type tap struct {
	src, proxy reflect.Value // zero until the root field is resolved
	key        shareKey      // without the event
}

// withTap prepares a subscription's context for sharing its events' responses.
func withTap(ctx context.Context, p *convrs.Principal) context.Context {
	if p == nil {
		return ctx
	}
	return context.WithValue(ctx, tapKey{}, &tap{key: shareKey{workspace: p.WorkspaceID, role: p.Role}})
}

// tapRootField hands gqlgen a proxy of the subscription resolver's channel (an AroundFields interceptor).
func tapRootField(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	t, _ := ctx.Value(tapKey{}).(*tap)
	fc := graphql.GetFieldContext(ctx)
	if err != nil || res == nil || t == nil || fc == nil || fc.Object != "Subscription" || t.src.IsValid() {
		return res, err
	}
	src := reflect.ValueOf(res)
	if src.Kind() != reflect.Chan {
		return res, err
	}
	op := graphql.GetOperationContext(ctx)
	vars, err := json.Marshal(op.Variables)
	if err != nil {
		return res, nil
	}
	h := sha256.New()
	for _, part := range [][]byte{[]byte(op.RawQuery), {0}, []byte(op.OperationName), {0}, vars} {
		h.Write(part)
	}
	h.Sum(t.key.operation[:0])
	t.src = src
	t.proxy = reflect.MakeChan(reflect.ChanOf(reflect.BothDir, src.Type().Elem()), 1)
	return t.proxy.Convert(src.Type()).Interface(), nil
}

// aroundResponse receives a subscription's next event and returns the response a subscriber with the same
// shareKey made of it, or executes it (an AroundResponses interceptor).
func (s *Server) aroundResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	t, _ := ctx.Value(tapKey{}).(*tap)
	if t == nil || !t.src.IsValid() {
		return next(ctx)
	}
	chosen, ev, ok := reflect.Select([]reflect.SelectCase{
		{Dir: reflect.SelectRecv, Chan: t.src},
		{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ctx.Done())},
	})
	if chosen == 1 {
		return nil // the subscription ended
	}
	if !ok {
		t.proxy.Close() // the stream ended: next reports it
		return next(ctx)
	}
	k := t.key
	k.event = ev.Interface()
	e := s.shared.entry(k, s.opts.Now())
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.resp != nil {
		return e.resp
	}
	t.proxy.Send(ev)
	resp := next(ctx)
	if resp == nil {
		return nil // this subscriber ended while executing: the next one executes the event
	}
	// The executor reuses its buffer for the subscription's next event: the shared response keeps a copy.
	shared := *resp
	shared.Data = slices.Clone(resp.Data)
	e.resp = &shared
	return e.resp
}
