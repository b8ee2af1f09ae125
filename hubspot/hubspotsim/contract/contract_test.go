package contract_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/convrs/gateway/hubspot/hubspotsim"
)

// repoRoot is the module root (the directory holding go.mod and node_modules).
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// TestNodeSDKContract runs contract.test.mjs (HubSpot's Node SDK) against a fresh simulator.
func TestNodeSDKContract(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	node, err := exec.LookPath("node")
	_, sdkErr := os.Stat(filepath.Join(root, "node_modules", "@hubspot", "api-client", "package.json"))
	if err != nil || sdkErr != nil {
		msg := "node or node_modules/@hubspot/api-client is missing (run npm install)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}

	sim := hubspotsim.NewTestServer(t, hubspotsim.Options{})
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", filepath.Join("hubspot", "hubspotsim", "contract", "contract.test.mjs"))
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "SIM_URL="+sim.URL())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test failed: %v\n%s", err, out)
	}
	if testing.Verbose() {
		t.Logf("%s", out)
	}
}
