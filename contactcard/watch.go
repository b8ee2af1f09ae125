package contactcard

import (
	"context"
	"sync"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot"
)

// liveCards holds this process's open cards, one watch per (workspace, customer) however many panels show it:
// one set of pub/sub subscriptions and one lookup per change, whose result every panel receives.
type liveCards struct {
	mu      sync.Mutex
	watches map[string]*cardWatch
}

// cardWatch is one customer's open cards.
type cardWatch struct {
	s              *Service
	key            string
	ws, customerID string
	cancel         context.CancelFunc

	mu   sync.Mutex
	subs map[chan *convrs.HubspotContactLookup]struct{}
	// running: a lookup is under way; again: another is due when it ends (changes during a lookup fold into
	// one more). last is the outcome of the latest lookup.
	running, again bool
	last           convrs.HubspotContactOutcome
}

// watch adds a panel to the customer's watch (starting it, subscribed, if it is the first) and returns the
// panel's channel, which holds the latest card not yet read and closes when ctx ends or the watch falls behind
// its pub/sub messages (the client then subscribes again and refetches).
func (s *Service) watch(ctx context.Context, ws, customerID string) (<-chan *convrs.HubspotContactLookup, error) {
	key := ws + "\x00" + customerID
	l := &s.live
	l.mu.Lock()
	w := l.watches[key]
	if w == nil {
		var err error
		if w, err = s.startWatch(key, ws, customerID); err != nil {
			l.mu.Unlock()
			return nil, err
		}
		if l.watches == nil {
			l.watches = map[string]*cardWatch{}
		}
		l.watches[key] = w
	}
	ch := make(chan *convrs.HubspotContactLookup, 1)
	w.mu.Lock()
	w.subs[ch] = struct{}{}
	w.mu.Unlock()
	l.mu.Unlock()
	context.AfterFunc(ctx, func() { s.leave(w, ch) })
	return ch, nil
}

// startWatch subscribes a new watch to what changes the customer's card: the customer's topic, the
// workspace's integration and the workspace-wide "match again" (which only unmatched cards act on).
func (s *Service) startWatch(key, ws, customerID string) (*cardWatch, error) {
	// The watch outlives any one panel, so it runs on a context of its own, as the workspace's system: the
	// lookups are the panels' (interactive for the HubSpot budget), not a particular agent's.
	ctx, cancel := context.WithCancel(hubspot.NewInteractiveContext(systemContext(context.Background(), ws)))
	w := &cardWatch{s: s, key: key, ws: ws, customerID: customerID, cancel: cancel, subs: map[chan *convrs.HubspotContactLookup]struct{}{}}
	changed, rematch := make(chan struct{}, 1), make(chan struct{}, 1)
	ended := make(chan struct{})
	var endOnce sync.Once
	for _, t := range []struct {
		topic string
		to    chan struct{}
	}{
		{convrs.TopicHubspotContact(ws, customerID), changed}, {convrs.TopicHubspot(ws), changed}, {topicCards(ws), rematch},
	} {
		in, err := s.cfg.PubSub.Subscribe(ctx, t.topic)
		if err != nil {
			cancel()
			return nil, err
		}
		go func() {
			for range in {
				select {
				case t.to <- struct{}{}:
				default: // a lookup is due already; it will see this change too
				}
			}
			endOnce.Do(func() { close(ended) })
		}()
	}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-ended:
				s.endWatch(w)
				return
			case <-changed:
				w.request(false)
			case <-rematch:
				w.request(true)
			}
		}
	}()
	return w, nil
}

// request starts a lookup, or asks for one more after the running one. A workspace-wide "match again"
// (rematch) concerns only cards that found no contact (or could not ask HubSpot): a found card's match stands.
func (w *cardWatch) request(rematch bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if rematch && w.last != "" && w.last != convrs.ContactNoMatch && w.last != convrs.ContactUnavailable {
		return
	}
	if w.running {
		w.again = true
		return
	}
	w.running = true
	go w.run()
}

// lookupTimeout bounds one shared lookup: it serves panels, not a request with a deadline of its own.
const lookupTimeout = 30 * time.Second

func (w *cardWatch) run() {
	for {
		ctx, cancel := context.WithTimeout(hubspot.NewInteractiveContext(systemContext(context.Background(), w.ws)), lookupTimeout)
		lk, err := w.s.Contact(ctx, w.customerID)
		cancel()
		w.mu.Lock()
		if err == nil {
			w.last = lk.Outcome
			for ch := range w.subs {
				// The latest card wins: a panel that has not read the previous one gets this one instead.
				select {
				case ch <- lk:
				default:
					select {
					case <-ch:
					default:
					}
					ch <- lk
				}
			}
		}
		if !w.again {
			w.running = false
			w.mu.Unlock()
			return
		}
		w.again = false
		w.mu.Unlock()
	}
}

// leave removes a panel; the last one out stops the watch.
func (s *Service) leave(w *cardWatch, ch chan *convrs.HubspotContactLookup) {
	s.live.mu.Lock()
	defer s.live.mu.Unlock()
	w.mu.Lock()
	if _, ok := w.subs[ch]; ok {
		delete(w.subs, ch)
		close(ch)
	}
	empty := len(w.subs) == 0
	w.mu.Unlock()
	if empty && s.live.watches[w.key] == w {
		delete(s.live.watches, w.key)
		w.cancel()
	}
}

// endWatch ends every panel of a watch whose pub/sub subscription fell behind: they subscribe again.
func (s *Service) endWatch(w *cardWatch) {
	s.live.mu.Lock()
	defer s.live.mu.Unlock()
	if s.live.watches[w.key] == w {
		delete(s.live.watches, w.key)
	}
	w.mu.Lock()
	for ch := range w.subs {
		delete(w.subs, ch)
		close(ch)
	}
	w.mu.Unlock()
	w.cancel()
}

// watchCount is how many customers' cards this process watches (for tests).
func (s *Service) watchCount() int {
	s.live.mu.Lock()
	defer s.live.mu.Unlock()
	return len(s.live.watches)
}

// rematchDelay is how long workspace-wide re-matching waits after a contact is created or restored in HubSpot,
// so that a burst of creations (an import) makes the open cards look again once, not once per contact.
const rematchDelay = 2 * time.Second

// rematchSoon tells every open card of the workspace, in every process, to match again, once rematchDelay
// after the first call of a burst; later calls within it fold into that one.
func (s *Service) rematchSoon(ctx context.Context, ws string) {
	s.rematch.mu.Lock()
	defer s.rematch.mu.Unlock()
	if s.rematch.due == nil {
		s.rematch.due = map[string]bool{}
	}
	if s.rematch.due[ws] {
		return
	}
	s.rematch.due[ws] = true
	delay := s.rematch.delay
	if delay == 0 {
		delay = rematchDelay
	}
	ctx = context.WithoutCancel(ctx)
	time.AfterFunc(delay, func() {
		s.rematch.mu.Lock()
		delete(s.rematch.due, ws)
		s.rematch.mu.Unlock()
		if err := s.cfg.PubSub.Publish(ctx, topicCards(ws), []byte("changed")); err != nil {
			s.cfg.Logger.WarnContext(ctx, "contactcard: publish workspace card change", "workspace_id", ws, "error", err)
		}
	})
}

// rematchState is the pending workspace-wide re-matches of this process.
type rematchState struct {
	mu    sync.Mutex
	due   map[string]bool
	delay time.Duration // 0: rematchDelay
}
