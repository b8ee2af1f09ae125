package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/convrs/gateway/auth"
	"github.com/convrs/gateway/cache"
	"github.com/convrs/gateway/contactcard"
	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/graph"
	"github.com/convrs/gateway/hubspot"
	"github.com/convrs/gateway/hubspot/hubspotsim"
	"github.com/convrs/gateway/hubsync"
	"github.com/convrs/gateway/integration"
	"github.com/convrs/gateway/match"
	"github.com/convrs/gateway/pubsub"
	"github.com/convrs/gateway/secret"
	"github.com/convrs/gateway/seed"
	"github.com/convrs/gateway/store"
)

// App is the gateway with its dependencies wired together.
type App struct {
	cfg     *Config
	logger  *slog.Logger
	db      *store.DB
	redis   redis.UniversalClient
	signer  *auth.Signer
	hubspot *integration.Service
	// card serves the agent's HubSpot card, outbound search and the contact webhooks.
	card    *contactcard.Service
	webhook http.Handler
	syncs   *hubsync.Worker
	// limiter is the rate limiter every process shares (Redis when configured): the app card's per-portal rate.
	limiter convrs.Limiter
	// sim is the embedded HubSpot simulator (development without a HubSpot app), which Run serves on simLn.
	sim     *hubspotsim.Simulator
	simSrv  *http.Server
	simLn   net.Listener
	handler http.Handler
	// readTimeout and writeTimeout bound each request that is not a websocket: its body must have arrived,
	// and its answer been written, within them (defaults 15 s and 60 s).
	readTimeout, writeTimeout time.Duration
	metrics                   *prometheus.Registry
	// out is where the logs go; development also prints the console's one address there.
	out io.Writer
}

// NewApp opens the database (migrating it), connects Redis if configured, seeds the demo data and starts the
// HubSpot simulator in development mode, and builds the HTTP handler.
func NewApp(ctx context.Context, cfg *Config, logOut io.Writer) (*App, error) {
	a := &App{cfg: cfg, logger: newLogger(cfg, logOut), out: logOut, metrics: prometheus.NewRegistry(),
		readTimeout: defaultReadTimeout, writeTimeout: defaultWriteTimeout}
	var err error
	if a.db, err = openStore(ctx, cfg); err != nil {
		var ce *ConfigError
		if errors.As(err, &ce) {
			return nil, err
		}
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	var (
		kv      convrs.Cache
		locker  convrs.Locker
		limiter convrs.Limiter
		ps      convrs.PubSub
	)
	if cfg.RedisURL != "" {
		if a.redis, err = cache.OpenRedis(cfg.RedisURL); err != nil {
			a.db.Close()
			return nil, fmt.Errorf("REDIS_URL: %w", err)
		}
		r := cache.NewRedis(a.redis, "convrs:")
		kv, locker, limiter, ps = r, r, r.Limiter(), pubsub.NewRedis(a.redis, "convrs:")
	} else {
		m := cache.NewMemory()
		kv, locker, limiter, ps = m, m, m.Limiter(), pubsub.NewMemory()
	}
	a.db.Events = ps
	a.limiter = limiter
	if d, ok := ps.(interface{ Dropped() uint64 }); ok {
		// A subscriber that fell behind is ended (its client refetches and subscribes again); count those.
		a.metrics.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "convrs_pubsub_subscriptions_ended_total",
			Help: "Subscriptions ended because their subscriber fell behind (its messages would have been lost).",
		}, func() float64 { return float64(d.Dropped()) }))
	}
	if d, ok := ps.(interface{ Interrupted() uint64 }); ok {
		// Redis failing ends the subscriptions it carried (their clients refetch and subscribe again).
		a.metrics.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "convrs_pubsub_subscriptions_interrupted_total",
			Help: "Subscriptions ended because the Redis pub/sub connection failed or a publish to their topic failed.",
		}, func() float64 { return float64(d.Interrupted()) }))
	}

	if cfg.Development() {
		if seeded, err := seed.Demo(ctx, a.db); err != nil {
			a.Close()
			return nil, err
		} else if seeded {
			a.logger.Info("demo data seeded", "workspace_id", seed.WorkspaceID)
		}
	}
	if cfg.UseSimulator() {
		if err := a.startSimulator(); err != nil {
			a.Close()
			return nil, err
		}
	}
	if a.signer, err = auth.NewSigner(cfg.SessionSecret); err != nil {
		a.Close()
		return nil, &ConfigError{"SESSION_SECRET", err.Error()}
	}
	box, err := secret.NewBox(cfg.EncryptionKey)
	if err != nil {
		a.Close()
		return nil, &ConfigError{"ENCRYPTION_KEY", err.Error()}
	}
	clientID, clientSecret := cfg.HubspotClientID, cfg.HubspotClientSecret
	if cfg.UseSimulator() {
		clientID, clientSecret = hubspotsim.DefaultClientID, hubspotsim.DefaultClientSecret
	}
	a.hubspot = integration.New(integration.Config{
		Store: a.db,
		OAuth: &hubspot.OAuthConfig{
			ClientID: clientID, ClientSecret: clientSecret,
			RedirectURL: cfg.PublicURL + integration.CallbackPath,
			Scopes:      integration.RequiredScopes,
			AppURL:      cfg.HubspotAppURL, APIURL: cfg.HubspotAPIURL,
		},
		APIURL:     cfg.HubspotAPIURL,
		APIVersion: cfg.HubspotAPIVersion,
		LinkURL:    linkURL(cfg),
		PublicURL:  cfg.PublicURL,
		// Agents' requests (marked interactive on /query) leave a share of every HubSpot budget to the
		// transcript sync, however many searches they start.
		Cache: kv, Locker: locker, Limiter: hubspot.ReserveForBackground(limiter, backgroundShare), PubSub: ps,
		Box: box, Logger: a.logger,
	})

	// The HubSpot card, outbound search and contact webhooks (issue 9), and the transcript sync (issue 8). They
	// share one matcher, which links through the card's NotifyingLinks, so a link the card or the sync stores
	// updates open panels in every process.
	a.card = contactcard.New(contactcard.Config{
		Store: a.db, Clients: a.hubspot, Cache: kv, Locker: locker, PubSub: ps, Logger: a.logger,
	})
	// The matcher serialises find-or-create per customer in the database, so matching runs safely with Redis down.
	matcher := match.New(match.Config{Links: a.card.NotifyingLinks(a.db), Locker: hubsync.MatchLocker(a.db), Logger: a.logger})
	a.card.SetMatcher(matcher)
	a.webhook = &webhookHandler{secret: clientSecret, publicURL: cfg.PublicURL, events: a.card, logger: a.logger, now: time.Now}
	for _, reason := range contactcard.WebhookIgnoreReasons {
		a.metrics.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "convrs_hubspot_webhook_events_ignored_total",
			Help:        "HubSpot webhook events acknowledged without effect: another object than contacts (object_type), a subscription type the gateway does not use (subscription_type), a portal no workspace is connected to (portal).",
			ConstLabels: prometheus.Labels{"reason": reason},
		}, func() float64 { return float64(a.card.WebhookEventsIgnored(reason)) }))
	}
	// Transcript sync: the workers Run starts, and the records' service GraphQL reads; its queue in /metrics.
	syncMetrics := hubsync.NewMetrics(a.db)
	a.metrics.MustRegister(syncMetrics)
	a.syncs = hubsync.NewWorker(hubsync.Config{
		Store: a.db, Clients: a.hubspot, Cache: kv, Logger: a.logger, PublicURL: cfg.PublicURL, LinkURL: linkURL(cfg), Matcher: matcher, Metrics: syncMetrics,
		Links: a.card.NotifyingLinks(a.db),
	})

	a.handler = a.routes(&graph.Resolver{
		Limiter:          limiter,
		WorkspaceService: a.db, StaffService: a.db, CustomerService: a.db, ConversationService: a.card.Outbound(a.db),
		HubspotService: a.hubspot, HubspotContactService: a.card, HubspotLinkService: a.card, HubspotSyncService: &hubsync.Service{Store: a.db, PubSub: ps},
		PubSub: ps, Logger: a.logger, Demo: cfg.Development(),
	})
	return a, nil
}

var _ integration.Store = (*store.DB)(nil)

// backgroundShare is the share of each portal's HubSpot budgets (5 searches a second: 2 of them) that agents'
// requests leave to the transcript sync.
const backgroundShare = 0.4

// linkURL is the base of "open in HubSpot" links when it is not HubSpot's own UI (the simulator serves its
// UI at its own address); empty means https://{uiDomain} of the connected portal.
func linkURL(cfg *Config) string {
	if cfg.HubspotAppURL == hubspot.DefaultAppURL {
		return ""
	}
	return cfg.HubspotAppURL
}

func newLogger(cfg *Config, out io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Development() {
		return slog.New(slog.NewTextHandler(out, opts))
	}
	return slog.New(slog.NewJSONHandler(out, opts))
}

func (a *App) startSimulator() error {
	// The demo app's registered redirect URL is this gateway's callback, so a misconfigured one fails as on HubSpot.
	sim := hubspotsim.New(hubspotsim.Options{IndexDelay: 2 * time.Second, RedirectURIs: []string{a.cfg.PublicURL + integration.CallbackPath},
		Logger: a.logger.With("component", "hubspotsim"), LegacyAPIsOff: a.cfg.HubspotSimLegacyAPIsOff})
	sim.SeedDemo()
	// As a HubSpot app's settings would: every contact event goes to the gateway's webhook endpoint, in the
	// legacy contact.* form or (HUBSPOT_SIM_WEBHOOKS=object) the generic object.* one.
	props := contactcard.HandledWebhooks().Properties
	subs := hubspotsim.ContactSubscriptions(props...)
	if a.cfg.HubspotSimWebhooks == "object" {
		subs = hubspotsim.ObjectSubscriptions(props...)
	}
	if err := sim.SetWebhooks(hubspotsim.WebhookSettings{TargetURL: a.cfg.PublicURL + "/webhooks/hubspot",
		Subscriptions: subs}); err != nil {
		return &ConfigError{"PUBLIC_URL", err.Error()}
	}
	// The app's card on contact records (hubspot-app/src/app/cards/): the contact pages call the gateway for it.
	if err := sim.SetAppCard(hubspotsim.AppCard{FetchURL: a.cfg.PublicURL + HubspotCardPath}); err != nil {
		return &ConfigError{"PUBLIC_URL", err.Error()}
	}
	ln, err := net.Listen("tcp", a.cfg.HubspotSimAddr)
	if err != nil {
		return &ConfigError{"HUBSPOT_SIM_ADDR", fmt.Sprintf("cannot listen on %s: %v", a.cfg.HubspotSimAddr, err)}
	}
	a.simLn = ln
	// With port 0 the simulator's real address is known only now.
	configured, actual := "http://"+a.cfg.HubspotSimAddr, "http://"+ln.Addr().String()
	for _, u := range []*string{&a.cfg.HubspotAPIURL, &a.cfg.HubspotAppURL} {
		if *u == configured {
			*u = actual
		}
	}
	a.sim, a.simSrv = sim, &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	a.logger.Info("HubSpot simulator serving (no HUBSPOT_CLIENT_ID configured)", "url", "http://"+ln.Addr().String())
	return nil
}

// originPatterns are the page origins whose websockets are accepted: the gateway's own, and in development
// only, any local port (the Vite dev server, a second gateway on the same machine).
func originPatterns(cfg *Config) []string {
	u := cfg.PublicURL
	for _, p := range []string{"https://", "http://"} {
		if len(u) > len(p) && u[:len(p)] == p {
			u = u[len(p):]
		}
	}
	if !cfg.Development() {
		return []string{u}
	}
	return []string{u, "localhost:*", "127.0.0.1:*"}
}

// newHTTPServer is the public listener's server: small headers (HubSpot's requests and the console's are far
// below maxHeaderBytes; a longer request line or header block is answered 431 before any handler runs), a
// deadline on the headers and idle keep-alive connections closed. Read and write deadlines of whole requests
// are set per route (withDeadlines), since websockets must outlive them.
func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: maxHeaderBytes}
}

// maxHeaderBytes bounds a request's line and headers (a bearer token, cookies and HubSpot's signature fit).
const maxHeaderBytes = 64 << 10

// shutdownGrace is how long requests in flight get to finish once the app is stopping.
const shutdownGrace = 10 * time.Second

// Run serves and runs the background workers until ctx ends (SIGTERM, SIGINT) or one of them fails, then stops
// them in order and closes what they used: the listeners stop accepting and requests in flight get
// shutdownGrace to finish; then the token keeper and the transcript sync stop, recording or releasing what they
// hold; then the embedded HubSpot simulator they call; last the database, Redis and pub/sub. A worker's failure
// is logged with its name and returned, so the process exits non-zero.
func (a *App) Run(ctx context.Context) error {
	defer a.Close()
	ln, err := net.Listen("tcp", a.cfg.ListenAddr)
	if err != nil {
		return &ConfigError{"LISTEN_ADDR", err.Error()}
	}
	handler := a.handler
	if a.cfg.Development() {
		handler = checkHost(a.cfg, handler)
	}
	// Websocket subscriptions end with the listeners' context (BaseContext); Shutdown waits for plain requests.
	listeners := []worker{{"http", serving(newHTTPServer(handler), ln)}}
	if a.cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", a.cfg.MetricsAddr)
		if err != nil {
			ln.Close()
			return &ConfigError{"METRICS_ADDR", err.Error()}
		}
		listeners = append(listeners, worker{"metrics", serving(&http.Server{Handler: a.metricsHandler(), ReadHeaderTimeout: 10 * time.Second}, mln)})
		a.logger.Info("metrics listening", "addr", mln.Addr().String())
	}
	workers := []worker{
		// Refresh margin is 5 minutes: a pass every minute refreshes every token well before it expires.
		{"token keeper", func(ctx context.Context) error { a.hubspot.KeepTokensFresh(ctx, time.Minute); return nil }},
		{"transcript sync", func(ctx context.Context) error { a.syncs.Run(ctx); return nil }},
	}
	var hubspotSim []worker
	if a.sim != nil {
		// The simulator stops sending webhooks with the listeners (they would find the gateway gone), and stops
		// serving only after the workers, whose calls to "HubSpot" it answers.
		listeners = append(listeners, worker{"hubspot simulator webhooks", func(ctx context.Context) error { <-ctx.Done(); a.sim.Close(); return nil }})
		hubspotSim = append(hubspotSim, worker{"hubspot simulator", serving(a.simSrv, a.simLn)})
	}
	if a.cfg.Development() {
		fmt.Fprintf(a.out, "Convrs is running on %s\n", a.cfg.PublicURL)
	}
	a.logger.Info("gateway listening", "url", a.cfg.PublicURL, "addr", ln.Addr().String(), "env", a.cfg.Env, "database", a.db.Dialect(), "redis", a.redis != nil)
	return runStages(ctx, a.logger, listeners, workers, hubspotSim)
}

// Close releases what NewApp opened. Run closes the app itself once its workers have stopped.
func (a *App) Close() {
	if a.sim != nil {
		a.sim.Close()
		_ = a.simSrv.Close()
		_ = a.simLn.Close()
	}
	if a.redis != nil {
		_ = a.redis.Close()
	}
	if a.db != nil {
		_ = a.db.Close()
	}
}
