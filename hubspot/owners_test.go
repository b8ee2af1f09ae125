package hubspot

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const ownerJSON = `{
  "id": "41629779",
  "email": "owner@example.com",
  "type": "PERSON",
  "firstName": "Ada",
  "lastName": "Lovelace",
  "userId": 9586504,
  "userIdIncludingInactive": 9586504,
  "createdAt": "2019-12-18T16:37:53.624Z",
  "updatedAt": "2023-06-28T10:13:35.476Z",
  "archived": false,
  "teams": [{"id": "368389", "name": "Sales", "primary": true}]
}`

func TestOwnersGet(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/crm/owners/2026-03/41629779", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "GET")
		testQuery(t, r, nil)
		writeJSON(w, 200, ownerJSON)
	})
	got, _, err := client.Owners.Get(context.Background(), "41629779")
	if err != nil {
		t.Fatal(err)
	}
	uid := int64(9586504)
	want := &Owner{
		ID: "41629779", Email: "owner@example.com", FirstName: "Ada", LastName: "Lovelace",
		UserID: &uid, UserIDIncludingInactive: &uid, Type: "PERSON",
		Teams:     []OwnerTeam{{ID: "368389", Name: "Sales", Primary: true}},
		CreatedAt: mustTime(t, "2019-12-18T16:37:53.624Z"), UpdatedAt: mustTime(t, "2023-06-28T10:13:35.476Z"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("owner (-want +got):\n%s", diff)
	}
}

func TestOwnersGetDeactivated(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/crm/owners/2026-03/7", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"id":"7","email":"gone@example.com","userId":null,"archived":false}`)
	})
	got, _, err := client.Owners.Get(context.Background(), "7")
	if err != nil {
		t.Fatal(err)
	}
	if got.UserID != nil {
		t.Errorf("UserID = %v, want nil", *got.UserID)
	}
}

func TestOwnersList(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/crm/owners/2026-03", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "GET")
		testQuery(t, r, map[string]string{"email": "owner@example.com", "limit": "100", "after": "abc"})
		writeJSON(w, 200, `{"results":[`+ownerJSON+`],"paging":{"next":{"after":"def","link":"x"}}}`)
	})
	got, _, err := client.Owners.List(context.Background(), &ListOwnersOptions{Email: "owner@example.com", Limit: 100, After: "abc"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Results) != 1 || got.NextAfter() != "def" {
		t.Errorf("got %+v", got)
	}
}

func TestOwnersAll(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/crm/owners/2026-03", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("after") {
		case "":
			writeJSON(w, 200, `{"results":[{"id":"1"},{"id":"2"}],"paging":{"next":{"after":"p2"}}}`)
		case "p2":
			writeJSON(w, 200, `{"results":[{"id":"3"}]}`)
		default:
			t.Errorf("unexpected after %q", r.URL.Query().Get("after"))
		}
	})
	var ids []string
	for o, err := range client.Owners.All(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.ID)
	}
	if diff := cmp.Diff([]string{"1", "2", "3"}, ids); diff != "" {
		t.Error(diff)
	}
}
