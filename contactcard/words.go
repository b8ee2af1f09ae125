package contactcard

import (
	"context"
	"errors"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubfault"
)

// What the agent reads when the card, a pick or a search could not ask HubSpot: what happened and what to do.
// HubSpot's own answer goes to the lookup's Detail (admins only) and the log.
var cardWords = map[hubfault.Kind]string{
	hubfault.Invalid: "HubSpot refused Convrs's question about this customer as invalid (the customer's email or phone number " +
		"may be malformed). Check the customer's details; an administrator can see HubSpot's reason.",
	hubfault.MissingScopes: "HubSpot did not allow Convrs to read contacts: the connection lacks a permission. " +
		"Ask an administrator to Reconnect HubSpot under Integrations, granting every permission asked for.",
	hubfault.Refused: "HubSpot no longer accepts Convrs's authorization, so contacts cannot be shown. " +
		"Ask an administrator to Reconnect HubSpot under Integrations.",
	hubfault.NotFound:    "HubSpot could not find this customer's contact (it may have been deleted or merged). Try again to look it up anew.",
	hubfault.RateLimited: "HubSpot asked Convrs to slow down (its rate limit). The card loads again in a few seconds.",
	hubfault.Unavailable: "HubSpot is not answering right now (it may be down or unreachable). Try again in a moment.",
	hubfault.Migrating:   "HubSpot is moving this HubSpot account to another data centre; contacts show again once it is done. Try again later.",
	hubfault.Internal:    "Convrs could not look up the HubSpot contact because of a problem on its own side. Try again; if it happens again, tell whoever runs Convrs.",
}

// describe says what went wrong talking to HubSpot, as an error code (ERATELIMITED or EUNAVAILABLE, or the code
// of Convrs's own error) and words for agents.
func describe(err error) (code, msg string) {
	kind := hubfault.Of(err)
	var app *convrs.Error
	switch {
	case kind == hubfault.RateLimited:
		return convrs.ERATELIMITED, cardWords[kind]
	case kind == hubfault.Unavailable && errors.Is(err, context.DeadlineExceeded):
		return convrs.EUNAVAILABLE, "HubSpot did not answer in time. Try again in a moment."
	case kind != hubfault.Refused && errors.As(err, &app) && app.Code != convrs.EINTERNAL && app.Code != convrs.EUNAVAILABLE:
		return app.Code, app.Message
	}
	return convrs.EUNAVAILABLE, cardWords[kind]
}
