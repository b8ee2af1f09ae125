package graph

import (
	"context"
	"net/http"
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
