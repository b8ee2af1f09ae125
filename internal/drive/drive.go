// Package drive is what the load drivers (bench/, soak/) share to act on a running gateway as its users do:
// GraphQL calls, the development sign-in, the admin's HubSpot connection through a consent page, and the line
// naming the machine a result was measured on.
package drive

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"strings"
	"time"
)

// GraphQLError is an answer with GraphQL errors: the gateway refused the operation (as opposed to a request
// that got no answer, whose outcome is unknown).
type GraphQLError struct {
	Message, Code string
}

func (e *GraphQLError) Error() string {
	if e.Code != "" {
		return "graphql: " + e.Code + ": " + e.Message
	}
	return "graphql: " + e.Message
}

// GQL posts one operation to base/query with the session token and decodes data into out (if not nil).
func GQL(c *http.Client, base, token, query string, vars map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest("POST", base+"/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message    string `json:"message"`
			Extensions struct {
				Code string `json:"code"`
			} `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return fmt.Errorf("%s: %w", resp.Status, err)
	}
	if len(r.Errors) > 0 {
		return &GraphQLError{Message: r.Errors[0].Message, Code: r.Errors[0].Extensions.Code}
	}
	if out != nil {
		return json.Unmarshal(r.Data, out)
	}
	return nil
}

// SignIn returns a session token of the first demo staff member of the demo workspace with role ("admin",
// "agent"), through the development sign-in.
func SignIn(c *http.Client, base, role string) (string, error) {
	resp, err := c.Get(base + "/auth/dev/staff")
	if err != nil {
		return "", err
	}
	var staff []struct{ ID, Role, WorkspaceID string }
	err = json.NewDecoder(resp.Body).Decode(&staff)
	resp.Body.Close()
	if err != nil {
		return "", err
	}
	for _, s := range staff {
		if s.Role == role && s.WorkspaceID == "ws_demo" {
			resp, err := c.Post(base+"/auth/dev/signin", "application/json", strings.NewReader(`{"staffId":"`+s.ID+`"}`))
			if err != nil {
				return "", err
			}
			var tok struct{ Token string }
			err = json.NewDecoder(resp.Body).Decode(&tok)
			resp.Body.Close()
			return tok.Token, err
		}
	}
	return "", fmt.Errorf("no demo %s", role)
}

var (
	formAction = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	formInput  = regexp.MustCompile(`<input type="(hidden|radio|checkbox)" name="([^"]+)"(?: id="[^"]*")? value="([^"]*)"([^>]*)>`)
)

// ConnectHubspot runs the admin's OAuth handshake against the simulator (its consent form posted as a browser
// would, with the preselected portal and every scope) and enables the sync.
func ConnectHubspot(c *http.Client, base, admin string) error {
	var auth struct {
		ConnectHubspot struct{ URL string } `json:"connectHubspot"`
	}
	if err := GQL(c, base, admin, `mutation { connectHubspot { url } }`, nil, &auth); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, err := browser.Get(auth.ConnectHubspot.URL)
	if err != nil {
		return err
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := formAction.FindSubmatch(page)
	if m == nil {
		return fmt.Errorf("no consent form at %s", resp.Request.URL)
	}
	action, _ := resp.Request.URL.Parse(htmlUnescape(string(m[1])))
	form := url.Values{}
	for _, in := range formInput.FindAllSubmatch(page, -1) {
		kind, name, value, rest := string(in[1]), string(in[2]), htmlUnescape(string(in[3])), string(in[4])
		if kind == "hidden" || strings.Contains(rest, "checked") {
			form.Add(name, value)
		}
	}
	resp, err = browser.PostForm(action.String(), form)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	var integ struct {
		EnableHubspot struct{ State string } `json:"enableHubspot"`
	}
	if err := GQL(c, base, admin, `mutation { enableHubspot { state } }`, nil, &integ); err != nil {
		return fmt.Errorf("enable (after the consent answered %s): %w", resp.Status, err)
	}
	return nil
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">").Replace(s)
}

// Machine names the machine a result was measured on: host, cores, CPU model, memory, Go, and the load
// average now.
func Machine() string {
	host, _ := os.Hostname()
	model := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	var memKB int64
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		fmt.Sscanf(strings.TrimPrefix(strings.Split(string(b), "\n")[0], "MemTotal:"), "%d", &memKB)
	}
	return fmt.Sprintf("%s: %d cores (%s), %.1f GiB RAM, %s/%s, %s, load average at the end %s", host, runtime.NumCPU(), model,
		float64(memKB)/(1<<20), runtime.GOOS, runtime.GOARCH, runtime.Version(), LoadAverage())
}

// LoadAverage is the 1, 5 and 15-minute load average ("" where /proc/loadavg is missing).
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}
