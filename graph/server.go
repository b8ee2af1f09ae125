package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"
)

// ServerOptions configures NewServer.
type ServerOptions struct {
	// OriginPatterns are the websocket origins accepted besides the request's own host.
	OriginPatterns []string
	// Authenticate reads the session token of a websocket's connection_init payload and returns the context
	// carrying its principal, or an error that refuses the connection.
	Authenticate func(ctx context.Context, payload map[string]any) (context.Context, error)
}

// NewServer returns the GraphQL server with its transports configured explicitly: POST, and websockets
// (graphql-ws) whose connection_init must carry a valid session token, with a keep-alive ping.
func NewServer(r *Resolver, opts ServerOptions) *handler.Server {
	srv := handler.New(NewExecutableSchema(Config{Resolvers: r}))
	srv.AddTransport(transport.Websocket{
		Implementation:        transport.CoderWebsocketImplementation{AcceptOptions: websocket.AcceptOptions{OriginPatterns: opts.OriginPatterns}},
		KeepAlivePingInterval: 10 * time.Second,
		InitFunc: func(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			ctx, err := opts.Authenticate(ctx, payload)
			if err != nil {
				// 4401 tells the client to sign in again rather than reconnect.
				return transport.WithWebsocketCloseCode(ctx, 4401), nil, err
			}
			return ctx, nil, nil
		},
	})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(extension.Introspection{})
	srv.Use(extension.FixedComplexityLimit(500))
	srv.AroundFields(SplitFieldErrors)
	srv.SetErrorPresenter(ErrorPresenter(r.Logger))
	srv.SetRecoverFunc(Recover(r.Logger))
	return srv
}
