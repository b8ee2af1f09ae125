package match_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot"
	"github.com/convrs/gateway/match"
)

// A merged contact: HubSpot answers a GET of an old ID with the merged record under its new ID. The simulator
// cannot merge yet (the hs-layer branch adds it), so a stub answers exactly that GET and nothing else.
func TestMergedLinkedContactIsFollowed(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var paths []string
	stub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.Method+" "+r.URL.Path)
		mu.Unlock()
		if r.Method != http.MethodGet || r.URL.Path != "/crm/v3/objects/contacts/101" {
			http.Error(w, `{"status":"error","message":"unexpected","category":"OBJECT_NOT_FOUND"}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"id": "205",
			"properties": map[string]string{
				"email": "kim@example.com", "hs_object_id": "205", "hs_merged_object_ids": "101;102",
				"createdate": "2024-01-17T19:55:04.281Z",
			},
		})
	}))
	t.Cleanup(stub.Close)
	hc := hubspot.NewClient(stub.Client(), hubspot.WithBaseURL(stub.URL), hubspot.WithRetry(hubspot.RetryPolicy{MaxAttempts: 1})).Contacts

	links := &memLinks{}
	m := match.New(match.Config{Links: links, Locker: nil})
	c := customer(convrs.Customer{Email: "kim@example.com", HubspotContactID: "101", HubspotPortalID: 7})
	res, err := m.Find(context.Background(), hc, match.Target{Customer: c, PortalID: 7, Region: "GB"})
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, res, "205", convrs.MatchCRMID, 1)
	if !res.Linked {
		t.Error("Linked = false after following a merge")
	}
	if l, _ := links.get(c.ID); l != (link{7, "205"}) {
		t.Errorf("stored link = %+v; want 205 in portal 7", l)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(paths) != 1 {
		t.Errorf("requests = %q; want the one GET (no search)", paths)
	}
}
