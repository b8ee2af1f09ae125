package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/convrs/gateway/convrs"
)

// resyncMessage is what a client reads when its subscription ends with ERESYNC.
const resyncMessage = "Live updates were interrupted and some may have been missed: fetch the data again and subscribe again."

// resyncOnEnd tells a websocket client why its subscription ended when the server ended it. A subscription's
// channel closes while its client still listens only when events may have been lost (the subscriber fell
// behind, or pub/sub was interrupted: Redis down, a failed publish), so the operation ends with an ERESYNC
// error instead of a plain "complete" that a client could take for the end of the stream. A subscription that
// failed to start keeps its own error, and one the client stopped ends as usual.
func resyncOnEnd(next graphql.ResponseHandler, websocket bool) graphql.ResponseHandler {
	if !websocket {
		return next // the transport that carries subscription errors is the websocket's
	}
	failed := false
	return func(ctx context.Context) *graphql.Response {
		resp := next(ctx)
		switch {
		case resp != nil:
			failed = resp.Data == nil && len(resp.Errors) > 0
		case !failed && ctx.Err() == nil:
			transport.AddSubscriptionError(ctx, &gqlerror.Error{Message: resyncMessage, Extensions: map[string]any{"code": convrs.ERESYNC}})
		}
		return resp
	}
}
