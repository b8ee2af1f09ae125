package hubsync

import (
	"fmt"

	"github.com/convrs/gateway/hubfault"
)

// The sync record's reasons: each says what happened and what the person reading it (an agent on the closed
// conversation, an admin on the card) can do. HubSpot's own words and correlation ID are never here: they go to
// the record's Detail, which only admins see, and to the log.
const (
	wordsAnonymous = "The customer is an anonymous visitor (no email, phone number or name), so nothing was sent to HubSpot. " +
		"Add the customer's details, then Retry."
	wordsNotThisPerson = "The only HubSpot contact with this customer's email was unlinked by an agent as not this person, so nothing was sent to HubSpot. " +
		"Choose the right contact in User Details (Change contact), then Retry."
	wordsDisabled = "Syncing to HubSpot is not enabled, so this transcript was not written. " +
		"An administrator can enable syncing under Integrations, then Retry."
	wordsRefused = "HubSpot no longer accepts Convrs's authorization (the app may have been uninstalled or its access revoked), " +
		"so this transcript is waiting. An administrator can Reconnect HubSpot under Integrations; waiting transcripts are then written by themselves."
	wordsRateLimited = "HubSpot asked Convrs to slow down (its rate limit). The transcript is written as soon as HubSpot allows; nothing to do."
	wordsExpired     = "HubSpot said Convrs's access had just expired; Convrs renews it and tries again by itself. Nothing to do."
	wordsUnavailable = "HubSpot is not answering (it may be down or unreachable). Convrs tries again by itself; nothing to do."
	wordsMigrating   = "HubSpot is moving this HubSpot account to another data centre and asked Convrs to wait. " +
		"The transcript is written by itself afterwards; nothing to do."
	wordsInvalid = "HubSpot refused the data Convrs sent for this transcript as invalid, so it was not written. " +
		"Check the customer's email and phone number, correct them if needed, then Retry. An administrator sees HubSpot's reason under Details."
	wordsMissingScopes = "HubSpot did not allow Convrs to do this: the connection lacks a permission. " +
		"An administrator can Reconnect HubSpot under Integrations, granting every permission asked for, then Retry."
	wordsNotFound = "HubSpot could not find the contact this transcript was going to (it may have been deleted or merged). " +
		"Retry to match the customer again."
	wordsInternal = "Convrs could not finish this sync because of a problem on its own side, not HubSpot's. " +
		"Retry; if it happens again, tell whoever runs Convrs."
	wordsOurOutage = "Convrs could not reach its own database, cache or network for a moment (not HubSpot's doing), so this transcript is waiting. " +
		"Convrs tries again by itself; nothing to do."
	wordsIncomplete = "HubSpot's answer did not include every part of the transcript. Convrs looks for the missing parts and tries again by itself; nothing to do."
)

// exhaustedWords is the reason of a sync that kept failing transiently past the retry limit.
func exhaustedWords(attempts int) string {
	return fmt.Sprintf("HubSpot did not answer in %d attempts, so Convrs stopped trying. Press Retry once HubSpot works again.", attempts)
}

// refusedWords is the reason of a sync HubSpot refused for good, by kind of refusal.
func refusedWords(k hubfault.Kind) string {
	switch k {
	case hubfault.MissingScopes:
		return wordsMissingScopes
	case hubfault.NotFound:
		return wordsNotFound
	case hubfault.Internal:
		return wordsInternal
	}
	return wordsInvalid
}
