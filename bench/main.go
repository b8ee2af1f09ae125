// Command bench is make bench's HTTP load driver. It runs the built gateway (bin/convrs, development mode with
// its HubSpot simulator) on each engine — SQLite with in-process cache and pub/sub, PostgreSQL with Redis — and
// measures, against baselines taken back to back on the same gateway in the same run:
//
//   - the warm hubspotContact card against the trivial { me { id } } query: throughput and p99 over
//     alternating pairs of phases, as ratios;
//   - one hubspotSyncUpdated event to N live subscriptions (one websocket each): p99 and last arrival;
//   - the gateway's RSS per idle subscription, and its Redis pub/sub connections;
//   - the transcript backlog drain (hubsync's BenchmarkBacklog) at 1,000 and 10,000 against its rate-limit bound.
//
// It prints one table and writes it, with the machine it ran on, to -out (bench/results/latest.md).
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/convrs/gateway/internal/drive"
	"github.com/redis/go-redis/v9"
)

var (
	binPath   = flag.String("bin", "bin/convrs", "the gateway binary")
	outPath   = flag.String("out", "bench/results/latest.md", "where the table goes")
	engines   = flag.String("engines", "sqlite,postgres", "engines to run: sqlite (in-process cache and pub/sub), postgres (with Redis)")
	clients   = flag.Int("clients", 32, "concurrent HTTP clients")
	pairs     = flag.Int("pairs", 5, "alternating pairs of load phases (trivial query, card)")
	phase     = flag.Duration("phase", 3*time.Second, "length of one load phase")
	fanouts   = flag.String("fanout", "250,1000,2000", "subscriber counts of the fan-out measure")
	rounds    = flag.Int("rounds", 5, "events per fan-out size")
	cold      = flag.Int("cold", 40, "cold cards (customers whose email was never looked up) asked at 5 a second (0: skip)")
	backlogs  = flag.String("backlog", "1000,10000", "backlog sizes (empty: skip)")
	pgURL     = flag.String("postgres", os.Getenv("TEST_DATABASE_URL"), "PostgreSQL server for the postgres engine (a database is created per run)")
	redisURL  = flag.String("redis", os.Getenv("TEST_REDIS_URL"), "Redis for the postgres engine")
	logWriter = os.Stderr
)

func main() {
	flag.Parse()
	log.SetFlags(log.Ltime)
	log.SetOutput(logWriter)
	started := time.Now()
	var results []*engineResult
	for _, e := range strings.Split(*engines, ",") {
		if e == "postgres" && (*pgURL == "" || *redisURL == "") {
			log.Printf("postgres engine skipped: set TEST_DATABASE_URL and TEST_REDIS_URL")
			continue
		}
		r, err := runEngine(strings.TrimSpace(e))
		if err != nil {
			log.Fatalf("bench: %s: %v", e, err)
		}
		results = append(results, r)
	}
	var drains []backlogResult
	for _, s := range splitInts(*backlogs) {
		d, err := runBacklog(s)
		if err != nil {
			log.Fatalf("bench: backlog %d: %v", s, err)
		}
		drains = append(drains, d...)
	}
	table := render(results, drains, time.Since(started))
	fmt.Print(table)
	if *outPath != "" {
		if err := os.WriteFile(*outPath, []byte(table), 0o644); err != nil {
			log.Fatalf("bench: %v", err)
		}
		log.Printf("wrote %s", *outPath)
	}
}

type engineResult struct {
	name                       string
	thrRatios, p99Ratios       []float64
	trivialRPS, cardRPS        []float64
	trivialP99, cardP99        []time.Duration
	fanout                     []fanoutResult
	rssPerSub                  float64 // bytes
	redisConns, redisConnsIdle int
	cold                       coldResult
}

// coldResult is the cold cards' measure: the outcomes, and HubSpot's answers to the searches they made.
type coldResult struct {
	cards, unavailable, searches, limited int
}

type fanoutResult struct {
	n         int
	p99, last []time.Duration // per round
}

type backlogResult struct {
	name    string
	size    int
	drain   float64
	bound   float64
	floor   float64
	ratio   float64
	limited float64
}

// gateway is a running bin/convrs.
type gateway struct {
	url     string
	sim     string // the HubSpot simulator's address (its /_sim/ control API)
	cmd     *exec.Cmd
	cleanup []func()
	http    *http.Client
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func startGateway(engine string) (*gateway, error) {
	dir, err := os.MkdirTemp("", "convrs-bench-")
	if err != nil {
		return nil, err
	}
	port := freePort()
	g := &gateway{url: fmt.Sprintf("http://127.0.0.1:%d", port), cleanup: []func(){func() { os.RemoveAll(dir) }},
		http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: 30 * time.Second}}
	g.sim = fmt.Sprintf("http://127.0.0.1:%d", freePort())
	env := append(os.Environ(),
		"APP_ENV=development", "PORT="+strconv.Itoa(port), "PUBLIC_URL="+g.url, "DATA_DIR="+dir,
		"HUBSPOT_SIM_ADDR="+strings.TrimPrefix(g.sim, "http://"), "METRICS_ADDR=off", "LOG_LEVEL=warn",
		"WS_MAX_CONNECTIONS=5000", "WS_MAX_CONNECTIONS_PER_WORKSPACE=5000", "WS_MAX_CONNECTIONS_PER_STAFF=5000",
		"WS_MAX_CONNECTIONS_PER_ADDRESS=5000",
	)
	switch engine {
	case "sqlite":
		env = append(env, "DATABASE_URL=sqlite://"+dir+"/bench.db", "REDIS_URL=")
	case "postgres":
		dbURL, drop, err := createDatabase(*pgURL)
		if err != nil {
			return nil, err
		}
		g.cleanup = append(g.cleanup, drop)
		env = append(env, "DATABASE_URL="+dbURL, "REDIS_URL="+*redisURL)
	default:
		return nil, fmt.Errorf("unknown engine %q", engine)
	}
	g.cmd = exec.Command(*binPath, "serve")
	g.cmd.Env = env
	logf, err := os.Create(dir + "/gateway.log")
	if err != nil {
		return nil, err
	}
	g.cmd.Stdout, g.cmd.Stderr = logf, logf
	if err := g.cmd.Start(); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		resp, err := g.http.Get(g.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return g, nil
			}
		}
		if time.Now().After(deadline) {
			g.stop()
			return nil, errors.New("gateway not ready within 90 s")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (g *gateway) stop() {
	if g.cmd != nil && g.cmd.Process != nil {
		_ = g.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = g.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = g.cmd.Process.Kill()
			<-done
		}
	}
	for i := len(g.cleanup) - 1; i >= 0; i-- {
		g.cleanup[i]()
	}
}

// createDatabase makes an empty database on base's server with psql and returns its URL and a drop function.
func createDatabase(base string) (string, func(), error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("convrs_bench_%d_%d", time.Now().Unix(), rand.IntN(1e6))
	admin := *u
	admin.Path = "/postgres"
	psql := func(sql string) error {
		out, err := exec.Command("psql", admin.String(), "-qc", sql).CombinedOutput()
		if err != nil {
			return fmt.Errorf("psql %s: %v: %s", sql, err, out)
		}
		return nil
	}
	if err := psql("CREATE DATABASE " + name); err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), func() { _ = psql("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)") }, nil
}

// gql posts one operation and decodes data into out; GraphQL errors are errors.
func (g *gateway) gql(token, query string, vars map[string]any, out any) error {
	return drive.GQL(g.http, g.url, token, query, vars, out)
}

// signIn returns a session token of the first demo staff member with role.
func (g *gateway) signIn(role string) (string, error) { return drive.SignIn(g.http, g.url, role) }

// connectHubspot runs the admin's OAuth handshake against the simulator and enables the sync.
func (g *gateway) connectHubspot(admin string) error {
	return drive.ConnectHubspot(g.http, g.url, admin)
}

const (
	trivialQuery = `{ me { id } }`
	cardQuery    = `query($c: ID!) { hubspotContact(customerId: $c) { customerId outcome matchedBy candidates errorCode message
  contact { id name firstName lastName email phone mobilePhone lifecycleStage owner { id name email } url } } }`
)

// warmCustomer finds a demo customer whose card is FOUND and loads it once, so that the cache is warm.
func (g *gateway) warmCustomer(agent string) (string, error) {
	var out struct {
		Customers []struct {
			ID    string
			Email *string
		}
	}
	if err := g.gql(agent, `{ customers(first: 50) { id email } }`, nil, &out); err != nil {
		return "", err
	}
	for _, c := range out.Customers {
		if c.Email == nil {
			continue
		}
		var card struct {
			HubspotContact struct{ Outcome string } `json:"hubspotContact"`
		}
		if err := g.gql(agent, cardQuery, map[string]any{"c": c.ID}, &card); err != nil {
			return "", err
		}
		if card.HubspotContact.Outcome == "FOUND" {
			return c.ID, g.gql(agent, cardQuery, map[string]any{"c": c.ID}, &card)
		}
	}
	return "", errors.New("no demo customer with a FOUND card")
}

// load runs the operation from n clients for d and returns requests per second and the p99 latency.
func (g *gateway) load(token, query string, vars map[string]any, n int, d time.Duration) (float64, time.Duration, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	var (
		mu        sync.Mutex
		latencies []time.Duration
		failed    atomic.Int64
		wg        sync.WaitGroup
	)
	end := time.Now().Add(d)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(end) {
				req, _ := http.NewRequest("POST", g.url+"/query", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+token)
				t0 := time.Now()
				resp, err := g.http.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || bytes.Contains(b, []byte(`"errors"`)) {
					failed.Add(1)
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if f := failed.Load(); f > int64(len(latencies))/100 {
		return 0, 0, fmt.Errorf("%d of %d requests failed", f, f+int64(len(latencies)))
	}
	return float64(len(latencies)) / d.Seconds(), percentile(latencies, 0.99), nil
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// subscriber is one agent's websocket with a hubspotSyncUpdated subscription.
type subscriber struct {
	conn *websocket.Conn
	got  atomic.Int64 // unix nanos of the first event of the current round (0: none yet)
}

type round struct {
	conversationID string
	closeNumber    int
}

var current atomic.Pointer[round]

func (g *gateway) subscribe(ctx context.Context, token string) (*subscriber, error) {
	wsURL := "ws" + strings.TrimPrefix(g.url, "http") + "/query"
	c, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(1 << 20)
	if err := wsjson.Write(ctx, c, map[string]any{"type": "connection_init", "payload": map[string]any{"authorization": "Bearer " + token}}); err != nil {
		return nil, err
	}
	var ack struct{ Type string }
	if err := wsjson.Read(ctx, c, &ack); err != nil || ack.Type != "connection_ack" {
		return nil, fmt.Errorf("no connection_ack (%q): %v", ack.Type, err)
	}
	if err := wsjson.Write(ctx, c, map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query": `subscription { hubspotSyncUpdated { id conversationId closeNumber status customer { id name } } }`}}); err != nil {
		return nil, err
	}
	s := &subscriber{conn: c}
	go s.read(context.Background())
	return s, nil
}

func (s *subscriber) read(ctx context.Context) {
	for {
		var msg struct {
			Type    string `json:"type"`
			Payload struct {
				Data struct {
					HubspotSyncUpdated struct {
						ConversationID string `json:"conversationId"`
						CloseNumber    int    `json:"closeNumber"`
					} `json:"hubspotSyncUpdated"`
				} `json:"data"`
			} `json:"payload"`
		}
		if err := wsjson.Read(ctx, s.conn, &msg); err != nil {
			return
		}
		switch msg.Type {
		case "ping":
			_ = wsjson.Write(ctx, s.conn, map[string]string{"type": "pong"})
		case "next":
			ev := msg.Payload.Data.HubspotSyncUpdated
			if r := current.Load(); r != nil && ev.ConversationID == r.conversationID && ev.CloseNumber == r.closeNumber {
				s.got.CompareAndSwap(0, time.Now().UnixNano())
			}
		}
	}
}

// fanoutRound closes the conversation (one sync record announced to every subscriber), waits until every
// subscriber has it, and reopens the conversation. It returns each subscriber's delay.
func (g *gateway) fanoutRound(agent, convID string, closeNumber int, subs []*subscriber) ([]time.Duration, error) {
	for _, s := range subs {
		s.got.Store(0)
	}
	current.Store(&round{conversationID: convID, closeNumber: closeNumber})
	t0 := time.Now()
	if err := g.gql(agent, `mutation($id: ID!) { closeConversation(id: $id) { id } }`, map[string]any{"id": convID}, nil); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(60 * time.Second)
	var delays []time.Duration
	for {
		delays = delays[:0]
		for _, s := range subs {
			if at := s.got.Load(); at != 0 {
				delays = append(delays, time.Duration(at-t0.UnixNano()))
			}
		}
		if len(delays) == len(subs) {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%d of %d subscribers got the event within 60 s", len(delays), len(subs))
		}
		time.Sleep(5 * time.Millisecond)
	}
	current.Store(nil)
	return delays, g.gql(agent, `mutation($id: ID!) { reopenConversation(id: $id) { id } }`, map[string]any{"id": convID}, nil)
}

func rss(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS")
}

func redisPubsubConns() int {
	if *redisURL == "" {
		return 0
	}
	opt, err := redis.ParseURL(*redisURL)
	if err != nil {
		return -1
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	list, err := rdb.Do(context.Background(), "CLIENT", "LIST", "TYPE", "pubsub").Text()
	if err != nil {
		return -1
	}
	return strings.Count(list, "\n")
}

func runEngine(engine string) (*engineResult, error) {
	log.Printf("%s: starting the gateway", engine)
	g, err := startGateway(engine)
	if err != nil {
		return nil, err
	}
	defer g.stop()
	res := &engineResult{name: engine}
	admin, err := g.signIn("admin")
	if err != nil {
		return nil, err
	}
	agent, err := g.signIn("agent")
	if err != nil {
		return nil, err
	}
	if err := g.connectHubspot(admin); err != nil {
		return nil, err
	}
	custID, err := g.warmCustomer(agent)
	if err != nil {
		return nil, err
	}

	var open struct {
		Conversations []struct{ ID string } `json:"conversations"`
	}
	if err := g.gql(agent, `{ conversations(status: OPEN, first: 1) { id } }`, nil, &open); err != nil || len(open.Conversations) == 0 {
		return nil, fmt.Errorf("no open conversation: %v", err)
	}
	convID := open.Conversations[0].ID
	// Memory and fan-out first, on a gateway that has served little yet (garbage from a load phase would make
	// the heap absorb the subscriptions).
	sizes := splitInts(*fanouts)
	slices.SortFunc(sizes, func(a, b int) int { return b - a })
	if len(sizes) > 0 {
		if err := g.fanout(res, agent, convID, sizes); err != nil {
			return nil, err
		}
	}
	if *pairs > 0 {
		if err := g.cardLoad(res, agent, custID); err != nil {
			return nil, err
		}
	}
	if *cold > 0 {
		if err := g.coldCards(res, agent); err != nil {
			return nil, fmt.Errorf("cold cards: %w", err)
		}
	}
	return res, nil
}

// coldCards gives *cold demo customers an email never looked up (half of them a HubSpot contact's), then asks
// for their cards at 5 a second, HubSpot's search limit, each without waiting for the one before: every card
// needs a search. It counts the UNAVAILABLE cards and the searches HubSpot answered 429.
func (g *gateway) coldCards(res *engineResult, agent string) error {
	var out struct {
		Customers []struct{ ID string }
	}
	if err := g.gql(agent, fmt.Sprintf(`{ customers(first: %d) { id } }`, min(*cold, 50)), nil, &out); err != nil {
		return err
	}
	if len(out.Customers) == 0 {
		return errors.New("no demo customers")
	}
	var integ struct {
		HubspotIntegration struct{ PortalID string } `json:"hubspotIntegration"`
	}
	if err := g.gql(agent, `{ hubspotIntegration { portalId } }`, nil, &integ); err != nil {
		return err
	}
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	var (
		since       = time.Now()
		wg          sync.WaitGroup
		unavailable atomic.Int64
		failed      error
		mu          sync.Mutex
		asked       int
	)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	// In waves of the demo customers: each wave gives them fresh emails, then asks for their cards.
	for asked < *cold {
		wave := out.Customers[:min(*cold-asked, len(out.Customers))]
		for i, c := range wave {
			email := fmt.Sprintf("cold-%s-%d@bench.test", run, asked+i)
			if i%2 == 0 {
				body := fmt.Sprintf(`{"properties":{"email":%q,"firstname":"Cold"}}`, email)
				resp, err := g.http.Post(g.sim+"/_sim/portals/"+integ.HubspotIntegration.PortalID+"/contacts", "application/json", strings.NewReader(body))
				if err != nil {
					return err
				}
				resp.Body.Close()
			}
			if err := g.gql(agent, `mutation($id: ID!, $e: String!) { updateCustomer(id: $id, input: {email: $e}) { id } }`,
				map[string]any{"id": c.ID, "e": email}, nil); err != nil {
				return err
			}
		}
		for _, c := range wave {
			<-tick.C
			wg.Add(1)
			go func() {
				defer wg.Done()
				var card struct {
					HubspotContact struct{ Outcome string } `json:"hubspotContact"`
				}
				if err := g.gql(agent, cardQuery, map[string]any{"c": c.ID}, &card); err != nil {
					mu.Lock()
					failed = err
					mu.Unlock()
				} else if card.HubspotContact.Outcome == "UNAVAILABLE" {
					unavailable.Add(1)
				}
			}()
		}
		wg.Wait() // the wave's cards are read before their customers change again
		asked += len(wave)
	}
	if failed != nil {
		return failed
	}
	resp, err := g.http.Get(g.sim + "/_sim/requests")
	if err != nil {
		return err
	}
	var reqs []struct {
		Method, Path string
		Status       int
		Time         time.Time
	}
	err = json.NewDecoder(resp.Body).Decode(&reqs)
	resp.Body.Close()
	if err != nil {
		return err
	}
	res.cold = coldResult{cards: asked, unavailable: int(unavailable.Load())}
	for _, r := range reqs {
		if r.Time.Before(since) || !strings.HasSuffix(r.Path, "/search") {
			continue
		}
		res.cold.searches++
		if r.Status == http.StatusTooManyRequests {
			res.cold.limited++
		}
	}
	log.Printf("%s: %d cold cards at 5/s: %d UNAVAILABLE; %d searches, %d answered 429", res.name, res.cold.cards, res.cold.unavailable, res.cold.searches, res.cold.limited)
	return nil
}

// fanout measures RSS per idle subscriber with sizes[0] subscribers open, then one event to each size.
func (g *gateway) fanout(res *engineResult, agent, convID string, sizes []int) error {
	engine := res.name
	closeNumber := 0
	// RSS before and after opening every subscriber, idle.
	time.Sleep(time.Second)
	rss0, _ := rss(g.cmd.Process.Pid)
	redis0 := redisPubsubConns()
	var subs []*subscriber
	defer func() {
		for _, s := range subs {
			_ = s.conn.Close(websocket.StatusNormalClosure, "")
		}
	}()
	log.Printf("%s: opening %d subscribers", engine, sizes[0])
	for len(subs) < sizes[0] {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		s, err := g.subscribe(ctx, agent)
		cancel()
		if err != nil {
			return fmt.Errorf("subscriber %d: %w", len(subs)+1, err)
		}
		subs = append(subs, s)
	}
	time.Sleep(2 * time.Second) // idle
	rss1, _ := rss(g.cmd.Process.Pid)
	res.rssPerSub = float64(rss1-rss0) / float64(len(subs))
	res.redisConns = redisPubsubConns() - redis0
	log.Printf("%s: RSS %d → %d MiB for %d subscriptions; Redis pub/sub connections +%d", engine, rss0>>20, rss1>>20, len(subs), res.redisConns)

	// The fan-out, largest first: subscribers beyond the next size are closed between sizes.
	for _, n := range sizes {
		for len(subs) > n {
			_ = subs[len(subs)-1].conn.Close(websocket.StatusNormalClosure, "")
			subs = subs[:len(subs)-1]
		}
		log.Printf("%s: fan-out to %d subscribers", engine, n)
		// A first event shows that every subscription is live (graphql-ws does not acknowledge a subscribe).
		closeNumber++
		if _, err := g.fanoutRound(agent, convID, closeNumber, subs); err != nil {
			return fmt.Errorf("warm-up event: %w", err)
		}
		fr := fanoutResult{n: n}
		for range *rounds {
			closeNumber++
			delays, err := g.fanoutRound(agent, convID, closeNumber, subs)
			if err != nil {
				return err
			}
			fr.p99 = append(fr.p99, percentile(delays, 0.99))
			fr.last = append(fr.last, slices.Max(delays))
		}
		log.Printf("%s: N=%d p99 %v last %v", engine, n, fr.p99, fr.last)
		res.fanout = append(res.fanout, fr)
	}
	for _, s := range subs {
		_ = s.conn.Close(websocket.StatusNormalClosure, "")
	}
	subs = nil

	return nil
}

// cardLoad measures the warm card against the trivial query, in alternating pairs of phases.
func (g *gateway) cardLoad(res *engineResult, agent, custID string) error {
	engine := res.name
	log.Printf("%s: load, %d pairs of %v phases, %d clients", engine, *pairs, *phase, *clients)
	if _, _, err := g.load(agent, trivialQuery, nil, *clients, time.Second); err != nil { // warm-up
		return err
	}
	for range *pairs {
		tRPS, tP99, err := g.load(agent, trivialQuery, nil, *clients, *phase)
		if err != nil {
			return fmt.Errorf("trivial query: %w", err)
		}
		cRPS, cP99, err := g.load(agent, cardQuery, map[string]any{"c": custID}, *clients, *phase)
		if err != nil {
			return fmt.Errorf("card: %w", err)
		}
		res.trivialRPS, res.cardRPS = append(res.trivialRPS, tRPS), append(res.cardRPS, cRPS)
		res.trivialP99, res.cardP99 = append(res.trivialP99, tP99), append(res.cardP99, cP99)
		res.thrRatios = append(res.thrRatios, cRPS/tRPS)
		res.p99Ratios = append(res.p99Ratios, float64(cP99)/float64(tP99))
		log.Printf("%s: trivial %.0f/s p99 %v; card %.0f/s p99 %v", engine, tRPS, tP99, cRPS, cP99)
	}
	return nil
}

var benchLine = regexp.MustCompile(`^BenchmarkBacklog/(\S+?)-\d+\s+\d+\s+\d+ ns/op(.*)$`)

// runBacklog runs hubsync's BenchmarkBacklog at size and reads its metrics.
func runBacklog(size int) ([]backlogResult, error) {
	log.Printf("backlog: draining %d", size)
	cmd := exec.Command("go", "test", "-run", "^$", "-bench", "Backlog", "-benchtime", "1x", "-timeout", "20m", "./hubsync/", "-backlog", strconv.Itoa(size))
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("%v: %s", err, out)
	}
	var res []backlogResult
	for _, line := range strings.Split(string(out), "\n") {
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		r := backlogResult{name: m[1], size: size}
		f := strings.Fields(m[2])
		for i := 0; i+1 < len(f); i += 2 {
			v, _ := strconv.ParseFloat(f[i], 64)
			switch f[i+1] {
			case "drain-s":
				r.drain = v
			case "lower-bound-s":
				r.bound = v
			case "burst-floor-s":
				r.floor = v
			case "x-bound":
				r.ratio = v
			case "429s":
				r.limited = v
			}
		}
		log.Printf("backlog %d %s: %.1f s, bound %.1f s (%.2f×), %v 429s", size, r.name, r.drain, r.bound, r.ratio, r.limited)
		res = append(res, r)
	}
	if len(res) == 0 {
		return nil, fmt.Errorf("no benchmark lines in: %s", out)
	}
	return res, nil
}

func splitInts(s string) []int {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil {
			out = append(out, n)
		}
	}
	return out
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func medianD(v []time.Duration) time.Duration {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }

func render(results []*engineResult, drains []backlogResult, took time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Load benchmark (make bench), %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "Machine: %s. Took %v. Ratios are medians over the pairs measured back to back in this run.\n\n", drive.Machine(), took.Round(time.Second))
	b.WriteString("| Measure | goal |")
	for _, r := range results {
		fmt.Fprintf(&b, " %s |", engineLabel(r.name))
	}
	b.WriteString("\n|---|---|")
	for range results {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	row := func(measure, goal string, cell func(*engineResult) string) {
		fmt.Fprintf(&b, "| %s | %s |", measure, goal)
		for _, r := range results {
			fmt.Fprintf(&b, " %s |", cell(r))
		}
		b.WriteString("\n")
	}
	row(fmt.Sprintf("Warm `hubspotContact` ÷ `{ me { id } }`, throughput (%d clients, %d pairs)", *clients, *pairs), "≥ 0.7×", func(r *engineResult) string {
		return fmt.Sprintf("**%.2f×** (%.0f vs %.0f req/s)", median(r.thrRatios), median(r.cardRPS), median(r.trivialRPS))
	})
	row("… p99", "≤ 1.5×", func(r *engineResult) string {
		return fmt.Sprintf("**%.2f×** (%s vs %s)", median(r.p99Ratios), ms(medianD(r.cardP99)), ms(medianD(r.trivialP99)))
	})
	for _, n := range splitInts(*fanouts) {
		goal := ""
		if n == 2000 {
			goal = "≤ 100 ms"
		}
		row(fmt.Sprintf("One `hubspotSyncUpdated` event to %d subscribers: p99 / last (median of %d)", n, *rounds), goal, func(r *engineResult) string {
			for _, f := range r.fanout {
				if f.n == n {
					return fmt.Sprintf("**%s** / %s", ms(medianD(f.p99)), ms(medianD(f.last)))
				}
			}
			return "–"
		})
	}
	row("RSS per idle subscription (one websocket each, opened before any load)", "≤ 10 KiB", func(r *engineResult) string {
		return fmt.Sprintf("**%.1f KiB**", r.rssPerSub/1024)
	})
	if *cold > 0 {
		row("Cold cards at 5 a second: searches answered 429 / cards UNAVAILABLE", "0 429s", func(r *engineResult) string {
			return fmt.Sprintf("**%d of %d** / %d of %d", r.cold.limited, r.cold.searches, r.cold.unavailable, r.cold.cards)
		})
	}
	row("Redis pub/sub connections for all of them", "a handful", func(r *engineResult) string {
		if r.name != "postgres" {
			return "– (in-process)"
		}
		return fmt.Sprintf("**%d**", r.redisConns)
	})
	if len(drains) > 0 {
		b.WriteString("\n| Transcript backlog drain (simulator with HubSpot's limits, real waits) | drain | rate-limit bound (sustained) | ratio | burst floor | 429s | goal |\n|---|---|---|---|---|---|---|\n")
		for _, d := range drains {
			goal := ""
			if d.size >= 10000 {
				goal = "≤ 1.25×"
			}
			fmt.Fprintf(&b, "| %d, %s | %.1f s | %.1f s | **%.2f×** | %.0f s | %.0f | %s |\n", d.size, d.name, d.drain, d.bound, d.ratio, d.floor, d.limited, goal)
		}
	}
	return b.String()
}

func engineLabel(name string) string {
	if name == "postgres" {
		return "PostgreSQL + Redis"
	}
	return "SQLite + in-process"
}
