package graph

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/convrs/gateway/convrs"
)

type loadersKey struct{}

// CustomerLoader batches the customer lookups of one request (a conversation list's customers) into one query.
type CustomerLoader = dataloadgen.Loader[string, *convrs.Customer]

func newCustomerLoader(svc convrs.CustomerService) *CustomerLoader {
	return dataloadgen.NewLoader(func(ctx context.Context, ids []string) ([]*convrs.Customer, []error) {
		found, err := svc.FindCustomers(ctx, ids)
		out := make([]*convrs.Customer, len(ids))
		errs := make([]error, len(ids))
		byID := make(map[string]*convrs.Customer, len(found))
		for _, c := range found {
			byID[c.ID] = c
		}
		for i, id := range ids {
			switch {
			case err != nil:
				errs[i] = err
			case byID[id] == nil:
				errs[i] = convrs.Errorf(convrs.ENOTFOUND, "Customer not found.")
			default:
				out[i] = byID[id]
			}
		}
		return out, errs
	}, dataloadgen.WithWait(time.Millisecond))
}

// LoadersMiddleware gives each request its own loaders, so nothing is cached across requests or principals.
func LoadersMiddleware(svc convrs.CustomerService, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), loadersKey{}, newCustomerLoader(svc))
		ctx = context.WithValue(ctx, syncLoaderKey{}, &syncLoaderSlot{})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// CustomerLoaderFromContext returns the request's loader, or a fresh one (subscriptions, tests).
func CustomerLoaderFromContext(ctx context.Context, svc convrs.CustomerService) *CustomerLoader {
	if l, ok := ctx.Value(loadersKey{}).(*CustomerLoader); ok {
		return l
	}
	return newCustomerLoader(svc)
}

// HubspotSyncLoader batches the sync-record lookups of one request (Conversation.hubspotSync over a list).
type HubspotSyncLoader = dataloadgen.Loader[string, *convrs.HubspotSync]

type syncLoaderKey struct{}

// syncLoaderSlot holds the request's sync loader, made on first use with the resolver's service.
type syncLoaderSlot struct {
	once sync.Once
	l    *HubspotSyncLoader
}

func newHubspotSyncLoader(svc convrs.HubspotSyncService) *HubspotSyncLoader {
	return dataloadgen.NewLoader(func(ctx context.Context, ids []string) ([]*convrs.HubspotSync, []error) {
		found, err := svc.SyncsByConversation(ctx, ids)
		out := make([]*convrs.HubspotSync, len(ids))
		errs := make([]error, len(ids))
		for i, id := range ids {
			if err != nil {
				errs[i] = err
			} else {
				out[i] = found[id] // nil: the conversation has no sync record
			}
		}
		return out, errs
	}, dataloadgen.WithWait(time.Millisecond))
}

// HubspotSyncLoaderFromContext returns the request's sync loader, or a fresh one (subscriptions, tests).
func HubspotSyncLoaderFromContext(ctx context.Context, svc convrs.HubspotSyncService) *HubspotSyncLoader {
	if slot, ok := ctx.Value(syncLoaderKey{}).(*syncLoaderSlot); ok {
		slot.once.Do(func() { slot.l = newHubspotSyncLoader(svc) })
		return slot.l
	}
	return newHubspotSyncLoader(svc)
}
