// Command server is the Convrs HubSpot gateway: `serve` (the default) runs it; `token` prints a staff session
// token; `hubspot-sim` runs the HubSpot simulator alone; `seed` loads the demo data; `hubspot-app` writes the
// HubSpot app's project.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/convrs/gateway/auth"
	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot/hubspotsim"
	"github.com/convrs/gateway/seed"
	"github.com/convrs/gateway/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "convrs:", err)
		os.Exit(1)
	}
}

const usage = `usage: server [command] [flags]

commands:
  serve        run the gateway (default)
  token        print a staff session token: token --workspace W --staff S --role admin|agent [--ttl 12h]
  hubspot-sim  run the HubSpot simulator alone: hubspot-sim [--addr 127.0.0.1:8081] [--redirect-uri URL]...
               [--index-delay 2s] [--legacy-apis on|off]
  seed         load the demo data into DATABASE_URL (skipped if present)
  hubspot-app  write the HubSpot app as a HubSpot project (platform 2026.03) for hs project upload:
               hubspot-app --public-url https://convrs.example.com --out DIR [--distribution marketplace|private]
               [--support-email E --support-url URL --documentation-url URL] [--print-json]
  help         print this (also -h, --help)
`

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && (args[0][0] != '-' || isHelp(args[0])) {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		cfg, err := LoadConfig(getenv)
		if err != nil {
			return err
		}
		app, err := NewApp(ctx, cfg, stderr)
		if err != nil {
			return err
		}
		return app.Run(ctx)
	case "token":
		return runToken(ctx, args, getenv, stdout, stderr)
	case "hubspot-sim":
		fs := flag.NewFlagSet("hubspot-sim", flag.ContinueOnError)
		fs.SetOutput(stderr)
		addr := fs.String("addr", "127.0.0.1:8081", "address to listen on")
		var redirects []string
		fs.Func("redirect-uri", "a registered redirect URL of the demo app (repeatable; default "+hubspotsim.DefaultRedirectURI+")", func(v string) error {
			redirects = append(redirects, v)
			return nil
		})
		indexDelay := fs.Duration("index-delay", 2*time.Second, "how long after a write search starts to see it (0: at once)")
		legacyDefault := getenv("HUBSPOT_SIM_LEGACY_APIS")
		if legacyDefault == "" {
			legacyDefault = "on"
		}
		legacy := fs.String("legacy-apis", legacyDefault, "on: serve the APIs HubSpot is retiring (OAuth v1/v3, CRM v3/v4, account-info v3) beside the dated ones; off: answer them 410 Gone (default: HUBSPOT_SIM_LEGACY_APIS, else on)")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if *legacy != "on" && *legacy != "off" {
			return fmt.Errorf("hubspot-sim: --legacy-apis %q must be on or off", *legacy)
		}
		opts := hubspotsim.Options{RedirectURIs: redirects, IndexDelay: *indexDelay, LegacyAPIsOff: *legacy == "off"}
		if *indexDelay <= 0 {
			opts.IndexDelay = -1 // Main turns a zero delay into its demo default; negative is "none"
		}
		return hubspotsim.Main(ctx, *addr, opts, stdout)
	case "seed":
		cfg, err := LoadConfig(getenv)
		if err != nil {
			return err
		}
		db, err := openStore(ctx, cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		seeded, err := seed.Demo(ctx, db)
		if err == nil {
			fmt.Fprintf(stdout, "demo data seeded: %v\n", seeded)
		}
		return err
	case "hubspot-app":
		return runHubspotApp(args, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		return fmt.Errorf("unknown command %q\n%s", cmd, usage)
	}
}

func isHelp(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" }

// runToken prints a session token for a staff member, checking that they exist with that workspace and role.
func runToken(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ws := fs.String("workspace", "", "workspace ID (e.g. ws_demo)")
	staffID := fs.String("staff", "", "staff ID (e.g. stf_ada)")
	role := fs.String("role", "", "admin or agent")
	ttl := fs.Duration("ttl", 12*time.Hour, "how long the token is valid")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *ws == "" || *staffID == "" || !convrs.Role(*role).Valid() {
		return errors.New("token: --workspace, --staff and --role admin|agent are required")
	}
	cfg, err := LoadConfig(getenv)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if cfg.Development() {
		if _, err := seed.Demo(ctx, db); err != nil {
			return err
		}
	}
	s, err := db.StaffByID(ctx, *staffID)
	if err != nil {
		return fmt.Errorf("token: staff %q: %s", *staffID, convrs.ErrorMessage(err))
	}
	if s.WorkspaceID != *ws || string(s.Role) != *role {
		return fmt.Errorf("token: staff %q is %s of workspace %q, not %s of %q", *staffID, s.Role, s.WorkspaceID, *role, *ws)
	}
	signer, err := auth.NewSigner(cfg.SessionSecret)
	if err != nil {
		return err
	}
	tok, err := signer.Issue(convrs.Principal{StaffID: s.ID, WorkspaceID: s.WorkspaceID, Role: s.Role}, *ttl)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return nil
}

// openStore opens (and migrates) the database, its files first made private to this user.
func openStore(ctx context.Context, cfg *Config) (*store.DB, error) {
	if err := secureFiles(cfg); err != nil {
		return nil, err
	}
	return store.Open(ctx, cfg.DatabaseURL)
}
