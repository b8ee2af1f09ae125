package graph

import (
	"context"
	"time"

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

func newCustomerLoader(svc convrs.CustomerService) *CustomerLoader {
	return dataloadgen.NewLoader(func(ctx context.Context, ids []string) ([]*convrs.Customer, []error) {
		found, err := svc.FindCustomers(ctx, ids)
		return byID(ids, found, err, func(c *convrs.Customer) string { return c.ID }, "Customer not found.")
	}, dataloadgen.WithWait(loaderWait))
}

func newLoaders(r *Resolver) *loaders {
	return &loaders{
		customers: newCustomerLoader(r.CustomerService),
		staff: dataloadgen.NewLoader(func(ctx context.Context, ids []string) ([]*convrs.Staff, []error) {
			found, err := r.StaffService.FindStaffMembers(ctx, ids)
			return byID(ids, found, err, func(s *convrs.Staff) string { return s.ID }, "Staff member not found.")
		}, dataloadgen.WithWait(loaderWait)),
		messages: dataloadgen.NewLoader(func(ctx context.Context, keys []messagesKey) ([][]*convrs.Message, []error) {
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

// forgetLoaded empties the operation's loaders: a subscription's events must show what is stored now, not
// what an earlier event loaded.
func forgetLoaded(ctx context.Context) {
	if l, ok := ctx.Value(loadersKey{}).(*loaders); ok {
		l.customers.ClearAll()
		l.staff.ClearAll()
		l.messages.ClearAll()
		l.syncs.ClearAll()
	}
}
