package contactcard

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/convrs/gateway/integration"
)

// Cache keys. Every key of a workspace's HubSpot data starts with integration.CachePrefix (Disable purges it)
// and names the portal, so a reconnect to another portal never reads the old portal's data.
//
//	hubspot:<ws>:<portal>:link:<customer>          the match (contact ID, rule, candidates)      TTLs.Link
//	hubspot:<ws>:<portal>:contact:<contact>        the contact's properties                      TTLs.Card
//	hubspot:<ws>:<portal>:owner:<owner>            the owner's name and email                    TTLs.Owner
//	hubspot:<ws>:<portal>:labels:lifecyclestage    lifecycle stage value → label                 TTLs.Labels
//	hubspot:<ws>:<portal>:search:<gen>:<query>     up to five search results                     TTLs.Search
//	hubspot:<ws>:<portal>:gen:search|nomatch       generations: a new one drops every search result / "no match"
//
// Generations spare Redis a SCAN per webhook: bumping one makes the entries of the old one unreachable.
func portalPrefix(workspaceID string, portalID int64) string {
	return integration.CachePrefix(workspaceID) + strconv.FormatInt(portalID, 10) + ":"
}

func linkKey(ws string, portal int64, customerID string) string {
	return portalPrefix(ws, portal) + "link:" + customerID
}

func genKey(ws string, portal int64, what string) string {
	return portalPrefix(ws, portal) + "gen:" + what
}

// generation returns the current generation of what ("" until one is bumped, or with the cache down).
func (s *Service) generation(ctx context.Context, ws string, portal int64, what string) string {
	v, _ := s.cacheGet(ctx, genKey(ws, portal, what))
	return string(v)
}

// bump starts a new generation of what.
func (s *Service) bump(ctx context.Context, ws string, portal int64, what string) {
	s.cacheSet(ctx, genKey(ws, portal, what), []byte(rand.Text()[:12]), 7*24*time.Hour)
}

func contactKey(ws string, portal int64, contactID string) string {
	return portalPrefix(ws, portal) + "contact:" + contactID
}

func ownerKey(ws string, portal int64, ownerID string) string {
	return portalPrefix(ws, portal) + "owner:" + ownerID
}

func labelsKey(ws string, portal int64) string {
	return portalPrefix(ws, portal) + "labels:lifecyclestage"
}

func searchPrefix(ws string, portal int64) string { return portalPrefix(ws, portal) + "search:" }

func hash(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s|", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// lockTTL bounds how long a crashed fetcher holds others back; fetchTimeout bounds one fetch.
const (
	lockTTL      = 15 * time.Second
	fetchTimeout = 12 * time.Second
)

// load returns the value cached under key, or fetches it once for every caller asking at the same time: in
// this process through a single-flight group, across processes through the Locker, re-checking the cache
// once the lock is held. fetch says how long to keep what it returns (0: ttl; negative: do not cache). A
// failing cache (Redis down) is logged and bypassed: the value is fetched straight from HubSpot.
func load[T any](ctx context.Context, s *Service, key string, ttl time.Duration, fetch func(context.Context) (T, time.Duration, error)) (T, error) {
	var zero T
	if v, ok := s.cacheGet(ctx, key); ok {
		var out T
		if err := json.Unmarshal(v, &out); err == nil {
			return out, nil
		}
	}
	b, err, _ := s.flight.Do(key, func() (any, error) {
		// The first caller's cancellation must not fail the others waiting on the same flight.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fetchTimeout)
		defer cancel()
		if s.cacheOK(fctx) {
			unlock, err := s.cfg.Locker.Lock(fctx, "lock:"+key, lockTTL)
			if err != nil {
				s.cacheDown(fctx, "lock", err)
			} else {
				defer unlock()
				if v, ok := s.cacheGet(fctx, key); ok {
					return v, nil
				}
			}
		}
		v, keep, err := fetch(fctx)
		if err != nil {
			return nil, err
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("contactcard: encode %s: %w", key, err)
		}
		if keep == 0 {
			keep = ttl
		}
		if keep > 0 {
			s.cacheSet(fctx, key, raw, keep)
		}
		return raw, nil
	})
	if err != nil {
		return zero, err
	}
	var out T
	if err := json.Unmarshal(b.([]byte), &out); err != nil {
		return zero, fmt.Errorf("contactcard: decode %s: %w", key, err)
	}
	return out, nil
}

type prefetchKey struct{}

// prefetched holds values read ahead in one round trip; each answers the next cacheGet of its key, once (a
// later read, such as load's re-check under the lock, goes to the cache).
type prefetched struct {
	mu sync.Mutex
	m  map[string][]byte // nil: absent
}

// prefetchAll reads keys in one round trip and returns ctx with their values for the cacheGets that follow,
// and the values; ok is false when the cache could not be read.
func (s *Service) prefetchAll(ctx context.Context, keys []string) (context.Context, [][]byte, bool) {
	if len(keys) == 0 || !s.cacheOK(ctx) {
		return ctx, nil, false
	}
	vals, err := s.cfg.Cache.GetMany(ctx, keys...)
	if err != nil {
		s.cacheDown(ctx, "get many", err)
		return ctx, nil, false
	}
	p := &prefetched{m: make(map[string][]byte, len(keys))}
	for i, k := range keys {
		p.m[k] = vals[i]
	}
	return context.WithValue(ctx, prefetchKey{}, p), vals, true
}

func (s *Service) cacheGet(ctx context.Context, key string) ([]byte, bool) {
	if !s.cacheOK(ctx) {
		return nil, false
	}
	if p, ok := ctx.Value(prefetchKey{}).(*prefetched); ok {
		p.mu.Lock()
		v, found := p.m[key]
		delete(p.m, key)
		p.mu.Unlock()
		if found {
			return v, v != nil
		}
	}
	v, ok, err := s.cfg.Cache.Get(ctx, key)
	if err != nil {
		s.cacheDown(ctx, "get", err)
		return nil, false
	}
	return v, ok
}

func (s *Service) cacheSet(ctx context.Context, key string, v []byte, ttl time.Duration) {
	if !s.cacheOK(ctx) {
		return
	}
	if err := s.cfg.Cache.Set(ctx, key, v, ttl); err != nil {
		s.cacheDown(ctx, "set", err)
	}
}

func (s *Service) setJSON(ctx context.Context, key string, v any, ttl time.Duration) {
	if b, err := json.Marshal(v); err == nil {
		s.cacheSet(ctx, key, b, ttl)
	}
}

func (s *Service) cacheDelete(ctx context.Context, keys ...string) {
	if err := s.cfg.Cache.Delete(ctx, keys...); err != nil {
		s.cacheDown(ctx, "delete", err)
	}
}

func (s *Service) cacheDeletePrefix(ctx context.Context, prefix string) {
	if err := s.cfg.Cache.DeletePrefix(ctx, prefix); err != nil {
		s.cacheDown(ctx, "delete prefix", err)
	}
}

// cacheOK reports whether the cache answered lately: for a few seconds after a failure reads, writes and locks
// are skipped, so a dead Redis does not slow every lookup (invalidations are still attempted).
func (s *Service) cacheOK(context.Context) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now().After(s.cacheDownUntil)
}

// cacheDown logs a cache failure (at most once every few seconds) and carries on without the cache.
func (s *Service) cacheDown(ctx context.Context, op string, err error) {
	s.mu.Lock()
	now := s.now()
	quiet := now.Before(s.cacheDownUntil)
	s.cacheDownUntil = now.Add(5 * time.Second)
	s.mu.Unlock()
	if !quiet {
		s.cfg.Logger.WarnContext(ctx, "contactcard: cache unavailable, reading HubSpot directly", "op", op, "error", err)
	}
}

// regionTTL is how long a workspace's default region (for phone matching) and time zone are kept: they change
// rarely, and a card should not cost a workspace read for them.
const regionTTL = 10 * time.Second

type regionEntry struct {
	region string
	loc    *time.Location
	until  time.Time
}

// workspaceZone returns the workspace's default region and time zone, read at most every regionTTL ("" and UTC
// when unreadable).
func (s *Service) workspaceZone(ctx context.Context, ws string) (string, *time.Location) {
	if v, ok := s.regions.Load(ws); ok {
		if e := v.(regionEntry); s.now().Before(e.until) {
			return e.region, e.loc
		}
	}
	w, err := s.cfg.Store.FindWorkspace(ctx, ws)
	if err != nil {
		return "", time.UTC
	}
	loc := time.UTC
	if l, err := time.LoadLocation(w.TimeZone); err == nil {
		loc = l
	}
	s.regions.Store(ws, regionEntry{region: w.DefaultRegion, loc: loc, until: s.now().Add(regionTTL)})
	return w.DefaultRegion, loc
}
