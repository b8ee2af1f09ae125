// Command soak is make soak's driver (issue 19's proof): two gateways (bin/convrs) on a private PostgreSQL
// and Redis, the HubSpot simulator as a process of its own (legacy APIs off), and conversations of mixed
// customers closed through the GraphQL API while things break:
//
//   - crash: one of the two gateways SIGKILLed at random (and restarted) at least 20 times;
//   - slow index: the same with HubSpot's search index an hour behind (slower than every wait in the product),
//     writes answered 1 s after they are stored, and 10 % of write answers lost after HubSpot wrote (502s and
//     reset connections);
//   - outages: Redis stopped for 30 s and PostgreSQL restarted while conversations close;
//   - HubSpot faults: 500s, 429 bursts and 5-second access tokens, then the app's access revoked in HubSpot.
//
// Each run prints one row: closes accepted (and refused, with why), conversations with exactly one note per
// transcript part on the right contact (read from the simulator, not from our database), lost and duplicate
// notes, duplicate contacts, FAILED and stuck syncs (not SYNCED once the queue has drained or the deadline
// passed), and the seconds from the revoke until the integration reads ERROR. Goal: 0 duplicates, 0 lost,
// 0 FAILED; the exit status is 1 when a goal is missed. The table goes to -out with the machine it ran on,
// and between the README's soak:latest markers.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"log"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/convrs/gateway/hubspot/hubspotsim"
	"github.com/convrs/gateway/internal/drive"
)

var (
	binPath    = flag.String("bin", "bin/convrs", "the gateway binary")
	outPath    = flag.String("out", "soak/results/latest.md", "where the table goes (empty: nowhere)")
	readmePath = flag.String("readme", "README.md", "README whose soak:latest block gets the table (empty: none)")
	runsFlag   = flag.String("runs", "crash,slow-index,outages,hubspot-faults", "runs, in order")
	crashN     = flag.Int("crash", 1000, "conversations of the crash run")
	kills      = flag.Int("kills", 20, "SIGKILLs in the crash run (half as many in the slow-index run)")
	slowN      = flag.Int("slow-index", 400, "conversations of the slow-index run")
	outageN    = flag.Int("outages", 300, "conversations of the outages run")
	faultN     = flag.Int("hubspot-faults", 300, "conversations of the HubSpot faults run")
	rate       = flag.Float64("rate", 8, "conversations started per second at most")
	workers    = flag.Int("workers", 6, "concurrent agents")
	drainFor   = flag.Duration("drain", 5*time.Minute, "how long after its closes a run's queue may take to drain before what is left counts as stuck")
	seedFlag   = flag.Uint64("seed", 0, "random seed (0: from the clock)")
	keep       = flag.Bool("keep", false, "keep the temporary directory (logs, PostgreSQL data) even when every goal is met")
)

func main() {
	flag.Parse()
	log.SetFlags(log.Ltime)
	os.Exit(run())
}

// env is everything a run acts on.
type env struct {
	dir   string
	pg    *postgres
	redis *redisServer
	sim   *simControl
	gws   []*gateway
	c     *cluster
	rng   *mrand.Rand
}

func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	started := time.Now()
	seedVal := *seedFlag
	if seedVal == 0 {
		seedVal = uint64(time.Now().UnixNano())
	}
	e, cleanup, err := setUp(ctx, seedVal)
	ok := false
	defer func() { cleanup(ok && !*keep) }()
	if err != nil {
		log.Printf("soak: %v", err)
		return 1
	}
	var results []*result
	for i, name := range strings.Split(*runsFlag, ",") {
		spec, found := specs()[strings.TrimSpace(name)]
		if !found {
			log.Printf("soak: unknown run %q", name)
			return 1
		}
		r, err := e.run(ctx, i+1, spec)
		if err != nil {
			log.Printf("soak: %s: %v", spec.name, err)
			return 1
		}
		fmt.Println(r.row())
		results = append(results, r)
	}
	table := render(results, time.Since(started), seedVal)
	fmt.Print("\n" + table)
	if err := publish(table); err != nil {
		log.Printf("soak: %v", err)
		return 1
	}
	ok = true
	for _, r := range results {
		ok = ok && r.goalsMet()
	}
	if !ok {
		log.Printf("soak: a goal was missed; logs kept in %s", e.dir)
		return 1
	}
	return 0
}

// setUp starts PostgreSQL, Redis, the simulator and the two gateways, signs in the demo admin and connects
// HubSpot; cleanup stops them all (and removes the directory when asked).
func setUp(ctx context.Context, seedVal uint64) (*env, func(remove bool), error) {
	dir, err := os.MkdirTemp("", "convrs-soak-")
	if err != nil {
		return nil, func(bool) {}, err
	}
	e := &env{dir: dir, rng: mrand.New(mrand.NewPCG(seedVal, 19))}
	var stops []func()
	cleanup := func(remove bool) {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
		if remove {
			os.RemoveAll(dir)
		} else {
			log.Printf("soak: logs and data in %s", dir)
		}
	}
	log.Printf("soak: starting PostgreSQL, Redis, the simulator and two gateways in %s", dir)
	if e.pg, err = startPostgres(dir); err != nil {
		return nil, cleanup, err
	}
	stops = append(stops, func() { _, _ = e.pg.run("pg_ctl", "-D", e.pg.data, "-m", "immediate", "-w", "stop") })
	if e.redis, err = startRedis(dir); err != nil {
		return nil, cleanup, err
	}
	stops = append(stops, e.redis.stop)

	ports := []int{freePort(), freePort()}
	publicURL := fmt.Sprintf("http://127.0.0.1:%d", ports[0]) // as behind one load balancer: the callback reaches gateway 1
	sim, err := startSimulator(ctx, dir, publicURL+"/oauth/hubspot/callback")
	if sim != nil && sim.p != nil {
		stops = append(stops, func() { sim.p.stop(5 * time.Second) })
	}
	if err != nil {
		return nil, cleanup, err
	}
	key := make([]byte, 32)
	secret := make([]byte, 36)
	_, _ = rand.Read(key)
	_, _ = rand.Read(secret)
	for i, port := range ports {
		g := &gateway{name: fmt.Sprintf("gateway %d", i+1), url: fmt.Sprintf("http://127.0.0.1:%d", port),
			logPath: filepath.Join(dir, fmt.Sprintf("gateway%d.log", i+1))}
		g.env = append(os.Environ(), "APP_ENV=development", "PORT="+strconv.Itoa(port), "PUBLIC_URL="+publicURL,
			"DATA_DIR="+filepath.Join(dir, fmt.Sprintf("gw%d", i+1)), "DATABASE_URL="+e.pg.url(), "REDIS_URL="+e.redis.url(),
			"HUBSPOT_CLIENT_ID="+hubspotsim.DefaultClientID, "HUBSPOT_CLIENT_SECRET="+hubspotsim.DefaultClientSecret,
			"HUBSPOT_API_URL="+sim.url, "HUBSPOT_APP_URL="+sim.url, "METRICS_ADDR=off", "LOG_LEVEL=info",
			"SESSION_SECRET="+base64.StdEncoding.EncodeToString(secret), "ENCRYPTION_KEY="+base64.StdEncoding.EncodeToString(key))
		// One at a time: the first migrates and seeds the demo workspace.
		if err := g.start(ctx); err != nil {
			return nil, cleanup, fmt.Errorf("%s: %w", g.name, err)
		}
		stops = append(stops, g.stop)
		e.gws = append(e.gws, g)
	}
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	e.c = &cluster{gws: e.gws, http: hc}
	if e.c.token, err = drive.SignIn(hc, e.gws[0].url, "admin"); err != nil {
		return nil, cleanup, fmt.Errorf("sign in: %w", err)
	}
	if err := drive.ConnectHubspot(hc, e.gws[0].url, e.c.token); err != nil {
		return nil, cleanup, err
	}
	var integ struct {
		I struct{ State, PortalID string } `json:"hubspotIntegration"`
	}
	if err := e.c.gql(`{ hubspotIntegration { state portalId } }`, nil, &integ); err != nil {
		return nil, cleanup, err
	}
	if integ.I.State != "ENABLED" {
		return nil, cleanup, fmt.Errorf("integration %s after connecting, not ENABLED", integ.I.State)
	}
	portal, _ := strconv.ParseInt(integ.I.PortalID, 10, 64)
	e.sim = &simControl{url: sim.url, portal: portal, http: hc}
	log.Printf("soak: HubSpot portal %d connected and syncing; simulator %s, gateways %s and %s", portal, sim.url, e.gws[0].url, e.gws[1].url)
	return e, cleanup, nil
}

// publish writes the table to -out and into the README's soak:latest block.
func publish(table string) error {
	if *outPath != "" {
		if err := os.MkdirAll(filepath.Dir(*outPath), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(*outPath, []byte(table), 0o644); err != nil {
			return err
		}
		log.Printf("soak: wrote %s", *outPath)
	}
	if *readmePath == "" {
		return nil
	}
	b, err := os.ReadFile(*readmePath)
	if err != nil {
		return err
	}
	block := regexp.MustCompile(`(?s)(<!-- soak:latest -->\n).*?(<!-- /soak:latest -->)`)
	if !block.Match(b) {
		return fmt.Errorf("%s has no soak:latest block", *readmePath)
	}
	out := block.ReplaceAllFunc(b, func([]byte) []byte { return []byte("<!-- soak:latest -->\n" + table + "<!-- /soak:latest -->") })
	return os.WriteFile(*readmePath, out, 0o644)
}
