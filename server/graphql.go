package main

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/convrs/gateway/graph"
)

// graphQL builds the GraphQL endpoint: introspection in development only, websockets without Origin (no
// browser) refused in production, and its websocket counts in /metrics.
func (a *App) graphQL(r *graph.Resolver) *graph.Server {
	srv := graph.NewServer(r, graph.ServerOptions{
		OriginPatterns: originPatterns(a.cfg),
		Authenticate:   a.signer.WebsocketInit,
		Introspection:  a.cfg.Development(),
		RequireOrigin:  !a.cfg.Development(),

		MaxConnections:             a.cfg.WebsocketCaps.Process,
		MaxConnectionsPerWorkspace: a.cfg.WebsocketCaps.Workspace,
		MaxConnectionsPerStaff:     a.cfg.WebsocketCaps.Staff,
		MaxConnectionsPerAddress:   a.cfg.WebsocketCaps.Address,
	})
	registerWebsocketMetrics(a.metrics, srv.Stats())
	return srv
}

func registerWebsocketMetrics(reg prometheus.Registerer, st *graph.Stats) {
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "convrs_websocket_connections", Help: "Open GraphQL websockets."},
			func() float64 { return float64(st.Connections()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "convrs_websocket_pending_connections", Help: "Open GraphQL websockets that have not completed connection_init."},
			func() float64 { return float64(st.PendingConnections()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "convrs_websocket_operations", Help: "Operations (subscriptions) running on GraphQL websockets."},
			func() float64 { return float64(st.Operations()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "convrs_websocket_refused_connections_total", Help: "Websockets refused by a connection cap (pending, per address, staff member, workspace or process) or for lacking Origin in production."},
			func() float64 { return float64(st.RefusedConnections()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "convrs_websocket_refused_operations_total", Help: "Websocket operations refused because their connection ran the most it may."},
			func() float64 { return float64(st.RefusedOperations()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "convrs_websocket_init_timeouts_total", Help: "Websockets closed (4408) because they sent no connection_init in time."},
			func() float64 { return float64(st.InitTimeouts()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "convrs_websocket_expired_closed_total", Help: "Websockets closed (4401) because their session expired or their staff member was removed."},
			func() float64 { return float64(st.ExpiredClosed()) }),
	)
}
