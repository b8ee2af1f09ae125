package hubspotsim_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/convrs/gateway/hubspot/hubspotsim"
)

// TestGenericWebhooksForEveryContactEvent is TestWebhooksForEveryContactEvent with the generic (object.*)
// subscriptions of a developer-platform app: the same events, as object.* with objectTypeId 0-1, except the
// privacy deletion, which stays contact.privacyDeletion.
func TestGenericWebhooksForEveryContactEvent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, noBackoff)
	rc := newReceiver(t, nil)
	if err := e.ts.SetWebhooks(hubspotsim.WebhookSettings{TargetURL: rc.srv.URL + "/webhooks/hubspot",
		Subscriptions: hubspotsim.ObjectSubscriptions(hubspotsim.CardProperties...)}); err != nil {
		t.Fatal(err)
	}
	at := float64(e.clock.Now().UnixMilli())
	base := func(typ, id, source string) map[string]any {
		n, _ := strconv.ParseInt(id, 10, 64)
		m := map[string]any{"portalId": float64(e.portal), "appId": float64(2218437), "occurredAt": at, "subscriptionType": typ,
			"attemptNumber": float64(0), "objectId": float64(n), "changeSource": source}
		if typ != "contact.privacyDeletion" {
			m["objectTypeId"] = "0-1"
		}
		return m
	}
	expect := func(want ...map[string]any) {
		t.Helper()
		r := rc.next()
		if !r.sigOK {
			t.Error("signature v3 does not verify")
		}
		if diff := cmp.Diff(want, volatile(r.events)); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
	}

	id := e.createContact(map[string]string{"email": "w@x.test"})
	expect(base("object.creation", id, "API"))
	e.mustStatus(e.call("PATCH", "/crm/objects/2026-03/contacts/"+id, map[string]any{"properties": map[string]string{"lifecyclestage": "customer", "company": "Not watched"}}), http.StatusOK)
	change := base("object.propertyChange", id, "API")
	change["propertyName"], change["propertyValue"] = "lifecyclestage", "customer"
	expect(change)
	e.mustStatus(e.call("DELETE", "/crm/objects/2026-03/contacts/"+id, nil), http.StatusNoContent)
	expect(base("object.deletion", id, "API"))
	if !e.ts.RestoreContact(e.portal, id) {
		t.Fatal("restore failed")
	}
	expect(base("object.restore", id, "CRM_UI"))
	other := e.createContact(map[string]string{"email": "w2@x.test"})
	expect(base("object.creation", other, "API"))
	r := e.call("POST", "/crm/objects/2026-03/contacts/merge", map[string]string{"primaryObjectId": id, "objectIdToMerge": other})
	e.mustStatus(r, http.StatusOK)
	newID := r.JSON(t)["id"].(string)
	merge := base("object.merge", newID, "API")
	merge["primaryObjectId"], merge["mergedObjectIds"], merge["newObjectId"], merge["numberOfPropertiesMoved"] = mustFloat(id), []any{mustFloat(other)}, mustFloat(newID), float64(0)
	expect(merge)
	e.mustStatus(e.call("POST", "/crm/objects/2026-03/contacts/gdpr-delete", map[string]string{"objectId": newID}), http.StatusNoContent)
	expect(base("contact.privacyDeletion", newID, "GDPR"))
	rc.none(e)
}

func TestWebhooksInBothFormsAndForNotes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, noBackoff)
	rc := newReceiver(t, nil)
	// Through the control API, as the hsmeta file of an app with both kinds would subscribe.
	r := e.callAs("", "PUT", "/_sim/apps/2218437/webhooks", map[string]any{"targetUrl": rc.srv.URL, "subscriptions": []any{
		map[string]any{"eventType": "contact.creation"},
		map[string]any{"eventType": "object.creation", "objectType": "0-1"},
		map[string]any{"eventType": "object.creation", "objectType": "notes"},
		map[string]any{"eventType": "object.propertyChange", "objectType": "note", "propertyName": "hs_note_body"},
		map[string]any{"eventType": "object.deletion", "objectType": "note"},
	}})
	e.mustStatus(r, http.StatusOK)
	var settings hubspotsim.WebhookSettings
	r.Into(t, &settings)
	if got := []string{settings.Subscriptions[1].ObjectType, settings.Subscriptions[2].ObjectType}; !cmp.Equal(got, []string{"contact", "note"}) {
		t.Errorf("object types normalised to %v", got)
	}

	id := e.createContact(map[string]string{"email": "both@x.test"})
	got := rc.next().events
	if len(got) != 2 || got[0]["subscriptionType"] != "contact.creation" || got[0]["objectTypeId"] != nil ||
		got[1]["subscriptionType"] != "object.creation" || got[1]["objectTypeId"] != "0-1" || got[0]["eventId"] == got[1]["eventId"] {
		t.Errorf("one creation in both forms = %v", got)
	}

	r = e.call("POST", "/crm/objects/2026-03/notes", noteInput(id, "<p>a</p>", "2025-03-10T10:00:00Z"))
	e.mustStatus(r, http.StatusCreated)
	note := r.JSON(t)["id"].(string)
	want := func(typ string) map[string]any {
		return map[string]any{"subscriptionType": typ, "objectTypeId": "0-46", "objectId": mustFloat(note)}
	}
	pick := func(events []map[string]any) []map[string]any {
		var out []map[string]any
		for _, ev := range events {
			m := map[string]any{"subscriptionType": ev["subscriptionType"], "objectTypeId": ev["objectTypeId"], "objectId": ev["objectId"]}
			if ev["propertyName"] != nil {
				m["propertyName"], m["propertyValue"] = ev["propertyName"], ev["propertyValue"]
			}
			out = append(out, m)
		}
		return out
	}
	if diff := cmp.Diff([]map[string]any{want("object.creation")}, pick(rc.next().events)); diff != "" {
		t.Errorf("note creation (-want +got):\n%s", diff)
	}
	e.mustStatus(e.call("PATCH", "/crm/objects/2026-03/notes/"+note, map[string]any{"properties": map[string]string{"hs_note_body": "<p>b</p>"}}), http.StatusOK)
	change := want("object.propertyChange")
	change["propertyName"], change["propertyValue"] = "hs_note_body", "<p>b</p>"
	if diff := cmp.Diff([]map[string]any{change}, pick(rc.next().events)); diff != "" {
		t.Errorf("note change (-want +got):\n%s", diff)
	}
	e.mustStatus(e.call("DELETE", "/crm/objects/2026-03/notes/"+note, nil), http.StatusNoContent)
	if diff := cmp.Diff([]map[string]any{want("object.deletion")}, pick(rc.next().events)); diff != "" {
		t.Errorf("note deletion (-want +got):\n%s", diff)
	}
	rc.none(e)

	// Refused settings.
	for name, sub := range map[string]hubspotsim.WebhookSubscription{
		"no object type":            {EventType: "object.creation"},
		"unknown object type":       {EventType: "object.creation", ObjectType: "deal"},
		"propertyChange no name":    {EventType: "object.propertyChange", ObjectType: "contact"},
		"object type on contact.*":  {EventType: "contact.creation", ObjectType: "contact"},
		"generic privacy deletion":  {EventType: "object.privacyDeletion", ObjectType: "contact"},
		"property on non-change":    {EventType: "object.deletion", ObjectType: "contact", PropertyName: "email"},
		"legacy propertyChange bad": {EventType: "contact.propertyChange"},
	} {
		if err := e.ts.SetWebhooks(hubspotsim.WebhookSettings{TargetURL: rc.srv.URL, Subscriptions: []hubspotsim.WebhookSubscription{sub}}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
