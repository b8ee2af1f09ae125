package graph

import (
	"context"
	"runtime"
	"sync"
	"time"
	"weak"

	"github.com/vikstrous/dataloadgen"

	"github.com/convrs/gateway/convrs"
)

type loadersKey struct{}

// loaders batch the N+1 fields of one operation: a conversation list's customers, assigned agents and
// messages are each read in one query.
type loaders struct {
	customers *CustomerLoader
	staff     *dataloadgen.Loader[string, *convrs.Staff]
	messages  *dataloadgen.Loader[messagesKey, []*convrs.Message]
	// syncs are the conversations' transcript sync records (nil: none).
	syncs *dataloadgen.Loader[string, *convrs.HubspotSync]
}

// CustomerLoader batches the customer lookups of one operation into one query.
type CustomerLoader = dataloadgen.Loader[string, *convrs.Customer]

type messagesKey struct {
	conversationID string
	page           convrs.MessagePage
}

// loaderWait is how long a loader gathers keys before its batch runs: long enough for a list's resolvers
// (run concurrently) to all ask on a loaded machine, short enough not to be felt.
const loaderWait = 5 * time.Millisecond

func newLoaders(r *Resolver) *loaders {
	return newLoadersCtx(r, func(ctx context.Context) context.Context { return ctx })
}

// newLoadersCtx returns loaders whose batches run with fetchCtx(ctx) of the call that started them.
func newLoadersCtx(r *Resolver, fetchCtx func(context.Context) context.Context) *loaders {
	return &loaders{
		customers: dataloadgen.NewLoader(func(ctx context.Context, ids []string) ([]*convrs.Customer, []error) {
			found, err := r.CustomerService.FindCustomers(fetchCtx(ctx), ids)
			return byID(ids, found, err, func(c *convrs.Customer) string { return c.ID }, "Customer not found.")
		}, dataloadgen.WithWait(loaderWait)),
		staff: dataloadgen.NewLoader(func(ctx context.Context, ids []string) ([]*convrs.Staff, []error) {
			ctx = fetchCtx(ctx)
			found, err := r.StaffService.FindStaffMembers(ctx, ids)
			return byID(ids, found, err, func(s *convrs.Staff) string { return s.ID }, "Staff member not found.")
		}, dataloadgen.WithWait(loaderWait)),
		messages: dataloadgen.NewLoader(func(ctx context.Context, keys []messagesKey) ([][]*convrs.Message, []error) {
			ctx = fetchCtx(ctx)
			out := make([][]*convrs.Message, len(keys))
			errs := make([]error, len(keys))
			// One query per distinct page (in practice one: every conversation asks for its latest messages).
			byPage := map[convrs.MessagePage][]int{}
			for i, k := range keys {
				byPage[k.page] = append(byPage[k.page], i)
			}
			for page, idx := range byPage {
				ids := make([]string, len(idx))
				for j, i := range idx {
					ids[j] = keys[i].conversationID
				}
				got, err := r.ConversationService.ListMessagesOf(ctx, ids, page)
				for _, i := range idx {
					out[i], errs[i] = got[keys[i].conversationID], err
					if out[i] == nil && err == nil {
						out[i] = []*convrs.Message{}
					}
				}
			}
			return out, errs
		}, dataloadgen.WithWait(loaderWait)),
		syncs: dataloadgen.NewLoader(func(ctx context.Context, ids []string) ([]*convrs.HubspotSync, []error) {
			ctx = fetchCtx(ctx)
			found, err := r.HubspotSyncService.SyncsByConversation(ctx, ids)
			out := make([]*convrs.HubspotSync, len(ids))
			errs := make([]error, len(ids))
			for i, id := range ids {
				out[i], errs[i] = found[id], err // nil: the conversation has no sync record
			}
			return out, errs
		}, dataloadgen.WithWait(loaderWait)),
	}
}

func byID[T any](ids []string, found []*T, err error, id func(*T) string, notFound string) ([]*T, []error) {
	out := make([]*T, len(ids))
	errs := make([]error, len(ids))
	m := make(map[string]*T, len(found))
	for _, v := range found {
		m[id(v)] = v
	}
	for i, k := range ids {
		switch {
		case err != nil:
			errs[i] = err
		case m[k] == nil:
			errs[i] = convrs.Errorf(convrs.ENOTFOUND, "%s", notFound)
		default:
			out[i] = m[k]
		}
	}
	return out, errs
}

// withLoaders gives an operation its own loaders, so nothing is cached across operations or principals.
func withLoaders(ctx context.Context, r *Resolver) context.Context {
	return context.WithValue(ctx, loadersKey{}, newLoaders(r))
}

// loadersFrom returns the operation's loaders, or fresh ones (tests calling resolvers directly).
func (r *Resolver) loadersFrom(ctx context.Context) *loaders {
	if l, ok := ctx.Value(loadersKey{}).(*loaders); ok {
		return l
	}
	return newLoaders(r)
}

type eventScopedKey struct{}

// A subscription has no loaders of its own: each of its events has its own (eventLoadersOf), so that an event
// never shows a row loaded for an earlier one.
func withEventLoaders(ctx context.Context) context.Context {
	return context.WithValue(ctx, eventScopedKey{}, true)
}

// loadersAt returns the loaders for the fields of obj: the operation's, or, in a subscription, those of the
// event obj belongs to.
func loadersAt[T any](ctx context.Context, r *Resolver, obj *T) *loaders {
	if ctx.Value(eventScopedKey{}) == nil {
		return r.loadersFrom(ctx)
	}
	return eventLoadersOf(r, obj)
}

// eventLoaderSet holds the loaders of the subscription events being resolved, by event object. A pub/sub
// fan-out hands the same object to every subscriber of this process (pubsub.Shared), so they all share one set
// of loaders: a row an event needs is read once per event, not once per subscriber, and never before the
// event arrived (the set is made when the first subscriber resolves the event). An entry goes with its object.
type eventLoaderSet struct {
	mu sync.Mutex
	m  map[any]*loaders
}

func eventLoadersOf[T any](r *Resolver, obj *T) *loaders {
	set := &r.events
	key := weak.Make(obj)
	set.mu.Lock()
	defer set.mu.Unlock()
	if l, ok := set.m[key]; ok {
		return l
	}
	if set.m == nil {
		set.m = make(map[any]*loaders)
	}
	// Shared by subscribers: one leaving (its context cancelled) must not fail the batch of the others.
	l := newLoadersCtx(r, context.WithoutCancel)
	set.m[key] = l
	runtime.AddCleanup(obj, func(k weak.Pointer[T]) {
		set.mu.Lock()
		delete(set.m, k)
		set.mu.Unlock()
	}, key)
	return l
}
