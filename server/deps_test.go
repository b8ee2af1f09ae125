package main

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestBinaryDoesNotLinkTestPackages keeps test helpers out of the production binary: neither the standard
// library's testing packages nor a test helper package of this module may be among the server's dependencies.
func TestBinaryDoesNotLinkTestPackages(t *testing.T) {
	cmd := exec.Command(goTool(t), "list", "-deps", "./server")
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps ./server: %v", err)
	}
	const module = "github.com/convrs/gateway/"
	var linked []string
	for _, pkg := range strings.Fields(string(out)) {
		switch {
		case pkg == "testing", strings.HasPrefix(pkg, "testing/"), pkg == "net/http/httptest":
			linked = append(linked, pkg)
		case strings.HasPrefix(pkg, module) && strings.Contains(strings.TrimPrefix(pkg, module), "test"):
			linked = append(linked, pkg)
		}
	}
	if len(linked) > 0 {
		t.Errorf("the server binary links test packages: %s", strings.Join(linked, ", "))
	}
}

// goTool is the go command of the toolchain running the tests, or the one on PATH.
func goTool(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath(filepath.Join(runtime.GOROOT(), "bin", "go")); err == nil {
		return p
	}
	p, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command: %v", err)
	}
	return p
}
