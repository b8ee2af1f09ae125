package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// The soak's own services: a private PostgreSQL and Redis (it stops and restarts them, so never the machine's
// shared ones), the HubSpot simulator and two gateways, each a process of its own in one temporary directory.

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// process is a child started in its own process group, so a Ctrl-C reaches the driver only, which then stops
// it in order.
type process struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
}

func startProcess(name, logPath string, env []string, argv ...string) (*process, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); logf.Close(); close(p.done) }()
	return p, nil
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *process) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// stop asks the process to end (SIGTERM), then kills it after grace.
func (p *process) stop(grace time.Duration) {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		p.kill()
	}
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// waitHTTP polls url until it answers 200, the process exits or the deadline passes.
func waitHTTP(ctx context.Context, p *process, url string, within time.Duration) error {
	deadline := time.Now().Add(within)
	c := &http.Client{Timeout: 2 * time.Second}
	for {
		if resp, err := c.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if p != nil && p.exited() {
			return fmt.Errorf("%s exited before %s answered (see its log)", p.name, url)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer within %v", url, within)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(150 * time.Millisecond):
		}
	}
}

// postgres is a private PostgreSQL cluster in dir, trust authentication, listening on 127.0.0.1:port.
type postgres struct {
	bin, dir, data string
	port           int
	asPostgres     bool // running as root: the cluster's commands run as the postgres user
}

func pgBinDir() (string, error) {
	if d := os.Getenv("PG_BIN"); d != "" {
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("no PostgreSQL server binaries (pg_ctl, initdb): install postgresql or set PG_BIN")
}

func versionOf(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func startPostgres(dir string) (*postgres, error) {
	bin, err := pgBinDir()
	if err != nil {
		return nil, err
	}
	pg := &postgres{bin: bin, dir: filepath.Join(dir, "pg"), port: freePort(), asPostgres: os.Geteuid() == 0}
	pg.data = filepath.Join(pg.dir, "data")
	if err := os.MkdirAll(pg.dir, 0o700); err != nil {
		return nil, err
	}
	if pg.asPostgres {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root needs a postgres user for the private cluster: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(pg.dir, uid, gid); err != nil {
			return nil, err
		}
		_ = os.Chmod(dir, 0o755) // the postgres user must reach pg.dir
	}
	if out, err := pg.run("initdb", "-D", pg.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"); err != nil {
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	return pg, pg.ctl("start")
}

func (pg *postgres) run(tool string, args ...string) ([]byte, error) {
	argv := append([]string{filepath.Join(pg.bin, tool)}, args...)
	if pg.asPostgres {
		argv = append([]string{"runuser", "-u", "postgres", "--"}, argv...)
	}
	return exec.Command(argv[0], argv[1:]...).CombinedOutput()
}

// ctl runs pg_ctl start, restart or stop and waits for it to finish.
func (pg *postgres) ctl(action string) error {
	args := []string{"-D", pg.data, "-w", "-t", "60", "-l", filepath.Join(pg.dir, "server.log")}
	switch action {
	case "start", "restart":
		args = append(args, "-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off", pg.port, pg.dir))
	}
	if action != "start" {
		args = append(args, "-m", "fast")
	}
	if out, err := pg.run("pg_ctl", append(args, action)...); err != nil {
		return fmt.Errorf("pg_ctl %s: %v: %s", action, err, out)
	}
	return nil
}

func (pg *postgres) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", pg.port)
}

// redisServer is a private redis-server without persistence; stop and start keep its port.
type redisServer struct {
	dir  string
	port int
	mu   sync.Mutex
	p    *process
}

func startRedis(dir string) (*redisServer, error) {
	r := &redisServer{dir: dir, port: freePort()}
	return r, r.start()
}

func (r *redisServer) start() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, err := startProcess("redis-server", filepath.Join(r.dir, "redis.log"), os.Environ(),
		"redis-server", "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", r.dir)
	if err != nil {
		return err
	}
	r.p = p
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", r.port)); err == nil {
			c.Close()
			return nil
		}
		if p.exited() || time.Now().After(deadline) {
			return errors.New("redis-server did not start (see redis.log)")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (r *redisServer) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.p != nil {
		r.p.stop(5 * time.Second)
		r.p = nil
	}
}

func (r *redisServer) url() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

// gateway is one bin/convrs serve process; restart brings it back on the same port after a kill.
type gateway struct {
	name, url, logPath string
	env                []string
	mu                 sync.Mutex
	p                  *process
}

func (g *gateway) start(ctx context.Context) error {
	p, err := startProcess(g.name, g.logPath, g.env, *binPath, "serve")
	if err != nil {
		return err
	}
	g.mu.Lock()
	g.p = p
	g.mu.Unlock()
	return waitHTTP(ctx, p, g.url+"/readyz", 90*time.Second)
}

// up reports whether the gateway's process is running (it may still be starting).
func (g *gateway) up() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.p != nil && !g.p.exited()
}

func (g *gateway) sigkill() {
	g.mu.Lock()
	p := g.p
	g.mu.Unlock()
	if p != nil {
		p.kill()
	}
}

func (g *gateway) stop() {
	g.mu.Lock()
	p := g.p
	g.mu.Unlock()
	if p != nil {
		p.stop(15 * time.Second)
	}
}

// simulator is `convrs hubspot-sim`, HubSpot outside the gateways.
type simulator struct {
	url string
	p   *process
}

func startSimulator(ctx context.Context, dir, redirectURI string) (*simulator, error) {
	port := freePort()
	s := &simulator{url: fmt.Sprintf("http://127.0.0.1:%d", port)}
	var err error
	s.p, err = startProcess("hubspot-sim", filepath.Join(dir, "hubspot-sim.log"), os.Environ(), *binPath, "hubspot-sim",
		"--addr", fmt.Sprintf("127.0.0.1:%d", port), "--redirect-uri", redirectURI, "--legacy-apis", "off", "--index-delay", "2s")
	if err != nil {
		return nil, err
	}
	return s, waitHTTP(ctx, s.p, s.url+"/_sim/portals", 30*time.Second)
}
