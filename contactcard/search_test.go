package contactcard_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/store/storetest"
)

func TestSearchContacts(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, "sqlite", b)
		for i, name := range []string{"Ann", "Anna", "Annabel", "Annette", "Annie", "Annika"} {
			e.seed(i+1, map[string]string{"firstname": name, "lastname": "Search", "email": name + "@example.com"})
		}
		mobile := e.seed(9, map[string]string{"firstname": "Mo", "lastname": "Bile", "mobilephone": "07400 123456"})

		// Off by default: EFORBIDDEN, and HubSpot is not asked.
		mark := e.mark()
		if _, err := e.svc.SearchContacts(e.agent, "Ann"); convrs.ErrorCode(err) != convrs.EFORBIDDEN {
			t.Errorf("search with the option off: %v, want EFORBIDDEN", err)
		}
		e.options(convrs.HubspotOptions{AllowOutboundSearch: true})
		// Under two characters: nothing, without calling HubSpot.
		for _, q := range []string{"", " ", "A", " a "} {
			if res, err := e.svc.SearchContacts(e.agent, q); err != nil || len(res) != 0 {
				t.Errorf("search %q = %v, %v; want nothing", q, res, err)
			}
		}
		if n := len(e.sim.Requests()) - mark; n != 0 {
			t.Errorf("%d HubSpot calls before a real search", n)
		}

		// Up to five, each with name, email and record URL; the same query again is served from the cache.
		res, err := e.svc.SearchContacts(e.agent, "Search")
		if err != nil || len(res) != 5 {
			t.Fatalf("search = %d results, %v; want 5", len(res), err)
		}
		if r := res[0]; r.FirstName == "" || r.Email == "" || r.URL != e.sim.URL()+"/contacts/"+itoa(e.portal)+"/record/0-1/"+r.ID {
			t.Errorf("result = %+v", r)
		}
		mark = e.mark()
		if again, err := e.svc.SearchContacts(e.agent, "  search "); err != nil || len(again) != 5 {
			t.Errorf("repeated search = %d, %v", len(again), err)
		}
		if n := e.calls(mark, http.MethodPost, "/crm/objects/2026-03/contacts/search"); n != 0 {
			t.Errorf("repeated search made %d HubSpot searches, want 0 (cached)", n)
		}

		// A phone number, written another way, is normalised and found through the phone properties.
		res, err = e.svc.SearchContacts(e.agent, "+44 7400 123456")
		if err != nil || len(res) != 1 || res[0].ID != mobile || res[0].MobilePhone != "07400 123456" {
			t.Errorf("phone search = %+v, %v; want contact %s", res, err, mobile)
		}

		// HubSpot trouble is an error with a code.
		e.sim.FailNext(20, http.StatusTooManyRequests)
		if _, err := e.svc.SearchContacts(e.agent, "Annika"); convrs.ErrorCode(err) != convrs.ERATELIMITED {
			t.Errorf("search while rate limited: %v, want ERATELIMITED", err)
		}
		e.sim.FailNext(0, 0)
	})
}

func TestStartConversationOutbound(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, memoryBackend(t))
		conv := e.svc.Outbound(e.db)
		id := e.seed(1, map[string]string{"firstname": "Hana", "lastname": "Sato", "email": "hana@example.com", "phone": "12345", "mobilephone": "+447400123456"})
		start := func(in convrs.StartConversationInput) (*convrs.Conversation, error) {
			in.Message = "Hello from Convrs"
			return conv.StartConversation(e.agent, in)
		}

		// A pick while outbound search is off is refused.
		if _, err := start(convrs.StartConversationInput{HubspotContactID: id, Channel: "sms"}); convrs.ErrorCode(err) != convrs.EFORBIDDEN {
			t.Errorf("pick with search off: %v, want EFORBIDDEN", err)
		}
		e.options(convrs.HubspotOptions{AllowOutboundSearch: true, RequireOutboundMatch: true})

		// With HubSpot matches required, hand-typed details are refused.
		_, err := start(convrs.StartConversationInput{Customer: convrs.CustomerInput{Email: ptr("typed@example.com")}, Channel: "email"})
		var appErr *convrs.Error
		if !errors.As(err, &appErr) || appErr.Code != convrs.EINVALID || appErr.Field != "hubspotContactId" {
			t.Errorf("hand-typed start with matches required: %v", err)
		}
		// An ID HubSpot does not know is refused.
		if _, err := start(convrs.StartConversationInput{HubspotContactID: "999999", Channel: "sms"}); convrs.ErrorCode(err) != convrs.EINVALID {
			t.Errorf("unknown contact: %v, want EINVALID", err)
		}

		// The pick: details come from HubSpot, whatever the browser sent (forged fields, a forged link).
		c, err := start(convrs.StartConversationInput{HubspotContactID: id, Channel: "sms", Customer: convrs.CustomerInput{
			Email: ptr("forged@evil.test"), Phone: ptr("+14155550199"), FirstName: ptr("Mallory")}})
		if err != nil {
			t.Fatal(err)
		}
		cust, _ := e.db.FindCustomer(e.agent, c.CustomerID)
		if cust.Email != "hana@example.com" || cust.FirstName != "Hana" || cust.LastName != "Sato" || cust.Phone != "+447400123456" ||
			cust.HubspotContactID != id || cust.HubspotPortalID != e.portal {
			t.Errorf("customer from the pick = %+v; want HubSpot's details (the valid mobile) and the link", cust)
		}
		// The card needs no search: the link is there from the first message.
		mark := e.mark()
		if lk := e.card(cust.ID); lk.MatchedBy != convrs.MatchChosen || lk.Contact.ID != id || !strings.HasPrefix(lk.LinkWords, "chosen by ") {
			t.Errorf("card of the new customer = %+v", lk)
		}
		if n := e.calls(mark, http.MethodPost, "/crm/objects/2026-03/contacts/search"); n != 0 {
			t.Errorf("card of a picked customer searched %d times", n)
		}
		// The same pick again starts a chat with the same customer, unchanged.
		c2, err := start(convrs.StartConversationInput{HubspotContactID: id, Channel: "email"})
		if err != nil || c2.CustomerID != cust.ID {
			t.Errorf("second pick = %+v, %v; want customer %s", c2, err, cust.ID)
		}
		// With matches required, an existing customer linked to HubSpot may be used; an unlinked one may not.
		if _, err := start(convrs.StartConversationInput{CustomerID: cust.ID, Channel: "email"}); err != nil {
			t.Errorf("start with a linked customer: %v", err)
		}
		plain := e.customer("Plain", "", "plain@example.com", "")
		if _, err := start(convrs.StartConversationInput{CustomerID: plain.ID, Channel: "email"}); convrs.ErrorCode(err) != convrs.EINVALID {
			t.Errorf("start with an unlinked customer while matches are required: %v, want EINVALID", err)
		}
	})
}
