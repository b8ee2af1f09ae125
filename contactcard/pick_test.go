package contactcard_test

import (
	"errors"
	"testing"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/store/storetest"
)

// Create New Chat opened from the HubSpot card reads the contact from HubSpot, only where outbound search may.
func TestContactToPick(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, memoryBackend(t))
		id := e.seed(1, map[string]string{"firstname": "Hana", "lastname": "Sato", "email": "hana@example.com", "mobilephone": "+447400123456"})

		if _, err := e.svc.ContactToPick(e.agent, id); convrs.ErrorCode(err) != convrs.EFORBIDDEN {
			t.Errorf("pick with search off: %v, want EFORBIDDEN", err)
		}
		e.options(convrs.HubspotOptions{AllowOutboundSearch: true})
		got, err := e.svc.ContactToPick(e.agent, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != id || got.FirstName != "Hana" || got.Email != "hana@example.com" || got.MobilePhone != "+447400123456" || got.URL == "" {
			t.Errorf("picked contact = %+v", got)
		}
		for _, bad := range []string{"999999", "", "12/../34"} {
			_, err := e.svc.ContactToPick(e.agent, bad)
			var appErr *convrs.Error
			if !errors.As(err, &appErr) || appErr.Code != convrs.EINVALID || appErr.Field != "id" {
				t.Errorf("pick of %q: %v, want EINVALID on field id", bad, err)
			}
		}
		if _, err := e.svc.ContactToPick(t.Context(), id); convrs.ErrorCode(err) != convrs.EUNAUTHORIZED {
			t.Errorf("pick without a session: %v", err)
		}
	})
}
