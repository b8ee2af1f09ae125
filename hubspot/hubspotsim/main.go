package hubspotsim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// Main seeds the demo data and serves a simulator on addr until ctx is done. A zero IndexDelay becomes 2 s so
// the demo shows search lagging behind writes as HubSpot's does; pass a negative one to turn that off.
func Main(ctx context.Context, addr string, opts Options, out io.Writer) error {
	if opts.IndexDelay == 0 {
		opts.IndexDelay = 2 * time.Second
	}
	sim := New(opts)
	sim.SeedDemo()

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("hubspotsim: listen: %w", err)
	}
	base := "http://" + ln.Addr().String()
	o := sim.opts
	fmt.Fprintf(out, "HubSpot simulator listening on %s\n", base)
	fmt.Fprintf(out, "  HUBSPOT_API_URL=%s\n  HUBSPOT_APP_URL=%s\n", base, base)
	fmt.Fprintf(out, "  HUBSPOT_CLIENT_ID=%s\n  HUBSPOT_CLIENT_SECRET=%s\n", o.ClientID, o.ClientSecret)
	legacy := "on (served beside " + strings.Join(DatedVersions, " and ") + ")"
	if o.LegacyAPIsOff {
		legacy = "off (410 Gone)"
	}
	fmt.Fprintf(out, "  search index delay %s; legacy APIs %s\n", o.IndexDelay, legacy)
	for _, p := range sim.Portals() {
		fmt.Fprintf(out, "  portal %d %q (%s): %s/oauth/%d/authorize\n", p.ID, p.Name, p.UIDomain, base, p.ID)
	}

	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("hubspotsim: serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("hubspotsim: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("hubspotsim: serve: %w", err)
	}
	return nil
}
