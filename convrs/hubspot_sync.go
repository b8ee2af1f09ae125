package convrs

import (
	"context"
	"errors"
	"time"
)

// HubspotMatchRule says which of the help page's matching rules found a customer's HubSpot contact.
type HubspotMatchRule string

const (
	MatchCRMID   HubspotMatchRule = "CRM_ID"  // the stored link
	MatchEmail   HubspotMatchRule = "EMAIL"   // exact, case-insensitive email; the oldest of several
	MatchPhone   HubspotMatchRule = "PHONE"   // E.164 or national number; the oldest of several
	MatchCreated HubspotMatchRule = "CREATED" // no match: a new contact was created (transcript sync only)
)

// HubspotSyncStatus is where a closed conversation's transcript sync stands.
type HubspotSyncStatus string

const (
	SyncQueued    HubspotSyncStatus = "QUEUED"
	SyncRunning   HubspotSyncStatus = "RUNNING"
	SyncSynced    HubspotSyncStatus = "SYNCED"
	SyncSkipped   HubspotSyncStatus = "SKIPPED"
	SyncWaiting   HubspotSyncStatus = "WAITING"
	SyncFailed    HubspotSyncStatus = "FAILED"
	SyncCancelled HubspotSyncStatus = "CANCELLED"
)

// Reason codes of a sync record, machine-readable beside the words of HubspotSync.Reason.
const (
	SyncReasonAnonymous        = "ANONYMOUS"           // skipped: no email, no valid phone, no name
	SyncReasonUnavailable      = "HUBSPOT_UNAVAILABLE" // waiting: HubSpot unreachable or 5xx
	SyncReasonIntegrationError = "INTEGRATION_ERROR"   // waiting: the integration is in ERROR until Reconnect
	SyncReasonRateLimited      = "RATE_LIMITED"        // waiting: HubSpot's rate limit
	SyncReasonDisabled         = "DISABLED"            // cancelled: the integration was disabled
	SyncReasonRejected         = "REJECTED"            // failed: HubSpot refused the note or contact for good
	SyncReasonRetriesExhausted = "RETRIES_EXHAUSTED"   // failed: transient failures went on past the retry limit
)

// HubspotSync is the record of one closed conversation's transcript sync: the truth the admin sees.
type HubspotSync struct {
	ID             string
	WorkspaceID    string
	ConversationID string
	CustomerID     string
	// ClosedAt is the close this sync writes (the note's hs_timestamp).
	ClosedAt time.Time
	// CloseNumber is 1 for the first close, 2+ after a reopen and close again.
	CloseNumber int
	Status      HubspotSyncStatus
	// ReasonCode (SyncReason…) and Reason (words for people) explain SKIPPED, WAITING, FAILED and CANCELLED.
	ReasonCode string
	Reason     string
	// Detail is HubSpot's own answer to the last failure (status, category, message, correlation ID), for admins
	// only (behind "Details"); the log has it too.
	Detail string
	// MatchedBy, ContactID, ContactName and ContactURL are set once the contact is known (SYNCED).
	MatchedBy   HubspotMatchRule
	ContactID   string
	ContactName string
	ContactURL  string
	// MatchedHow says in words how the contact was chosen ("matched by email (bob@example.com)", "chosen by
	// Sam Agent on 7 Dec").
	MatchedHow string
	// NoteIDs are the HubSpot notes written, in timeline order (several for a long transcript).
	NoteIDs       []string
	Attempts      int
	NextAttemptAt *time.Time
	// Warnings are things the admin should know that did not stop the sync (an invalid stored phone number).
	Warnings []string
	// AttemptErrors are the attempts that did not end SYNCED or SKIPPED, oldest first (at most
	// MaxHubspotSyncAttemptErrors, the latest kept).
	AttemptErrors []HubspotSyncAttemptError
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// MaxHubspotSyncAttemptErrors bounds the attempt errors a sync record keeps.
const MaxHubspotSyncAttemptErrors = 20

// HubspotSyncAttemptError is one attempt of a sync that did not succeed: when it ended, its number, the status
// it left the record in and why.
type HubspotSyncAttemptError struct {
	At         time.Time         `json:"at"`
	Attempt    int               `json:"attempt"`
	Status     HubspotSyncStatus `json:"status"`
	ReasonCode string            `json:"reasonCode,omitempty"`
	Reason     string            `json:"reason"`
}

// HubspotSyncFilter selects sync records, newest first. Zero values select everything.
type HubspotSyncFilter struct {
	Status HubspotSyncStatus
	First  int
	// After is the opaque cursor of the page before.
	After string
}

// HubspotSyncPage is one page of sync records.
type HubspotSyncPage struct {
	Nodes       []*HubspotSync
	EndCursor   string
	HasNextPage bool
}

// HubspotSyncSummary counts a workspace's sync records by status.
type HubspotSyncSummary struct {
	Queued, Running, Synced, Skipped, Waiting, Failed, Cancelled, Total int
	// NextAttemptAt is when the first of the WAITING records is tried again (nil when none waits).
	NextAttemptAt *time.Time
}

// HubspotSyncService shows and steers the transcript sync. Errors: EUNAUTHORIZED, EFORBIDDEN (admin-only
// methods for agents), ENOTFOUND, EINVALID (days other than 7 or 30), ECONFLICT (retrying a record that is not
// FAILED, SKIPPED or CANCELLED; backfill while syncing is not enabled).
type HubspotSyncService interface {
	// Sync returns the sync record of a conversation, or ENOTFOUND when it has none. Any staff member.
	Sync(ctx context.Context, conversationID string) (*HubspotSync, error)
	// SyncsByConversation returns the records of the conversations that have one (for a dataloader).
	SyncsByConversation(ctx context.Context, conversationIDs []string) (map[string]*HubspotSync, error)
	// Syncs lists the workspace's records, newest first. Admin only.
	Syncs(ctx context.Context, f HubspotSyncFilter) (*HubspotSyncPage, error)
	// Summary counts the workspace's records by status. Admin only.
	Summary(ctx context.Context) (*HubspotSyncSummary, error)
	// Retry requeues a FAILED, SKIPPED or CANCELLED record. Admin only.
	Retry(ctx context.Context, conversationID string) (*HubspotSync, error)
	// BackfillCount counts the conversations closed in the last days (7 or 30) that were never synced. Admin only.
	BackfillCount(ctx context.Context, days int) (int, error)
	// Backfill queues those conversations through the same pipeline and returns how many. Admin only.
	Backfill(ctx context.Context, days int) (int, error)
	// SubscribeSyncs streams the workspace's records each time one changes, in any gateway process, until ctx
	// ends. Admins and agents alike (agents see the conversations of their workspace).
	SubscribeSyncs(ctx context.Context) (<-chan *HubspotSync, error)
}

// HubspotContactOutcome is what the User Details panel's HubSpot card shows.
type HubspotContactOutcome string

const (
	ContactFound           HubspotContactOutcome = "FOUND"
	ContactMultipleMatches HubspotContactOutcome = "MULTIPLE_MATCHES" // Contact is the oldest: the one transcripts go to
	ContactNoMatch         HubspotContactOutcome = "NO_MATCH"
	ContactAnonymous       HubspotContactOutcome = "ANONYMOUS"
	ContactNotEnabled      HubspotContactOutcome = "NOT_ENABLED"
	ContactUnavailable     HubspotContactOutcome = "UNAVAILABLE" // ErrorCode and Message say why
)

// HubspotOwner is a contact's owner in HubSpot.
type HubspotOwner struct {
	ID    string
	Name  string
	Email string
}

// HubspotContact is a HubSpot contact as the card and outbound search show it. Unknown fields are "".
type HubspotContact struct {
	ID          string
	FirstName   string
	LastName    string
	Email       string
	Phone       string
	MobilePhone string
	// LifecycleStage is the stage's label ("Marketing Qualified Lead"); an unknown value as it is.
	LifecycleStage string
	Owner          *HubspotOwner
	URL            string
	// CreatedAt and LastActivityAt tell duplicates apart; nil when HubSpot did not say.
	CreatedAt      *time.Time
	LastActivityAt *time.Time
}

// HubspotContactLookup is the card's answer for one customer.
type HubspotContactLookup struct {
	CustomerID string
	Outcome    HubspotContactOutcome
	Contact    *HubspotContact
	MatchedBy  HubspotMatchRule
	// Candidates is how many contacts share the email or phone (MULTIPLE_MATCHES: more than one).
	Candidates int
	// ErrorCode (EUNAVAILABLE, ERATELIMITED, …) and Message (words) explain UNAVAILABLE.
	ErrorCode string
	Message   string
	// Detail is HubSpot's own answer (status, category, message, correlation ID), for admins only.
	Detail string
	// Link is how the contact was chosen, and LinkWords the same in words for the card.
	Link      HubspotLinkSource
	LinkWords string
	// ConversationID is set when the contact is the one an agent picked for that conversation (its transcript
	// goes there); CustomerContactID is then the customer's own linked contact, if any.
	ConversationID    string
	CustomerContactID string
	// NotThisPerson counts the contacts agents unlinked from this customer as "not this person".
	NotThisPerson int
}

// HubspotLinkService lets agents choose, change and undo a customer's HubSpot contact. Links are made only by
// the server: the contact is fetched from the connected portal before it is linked. Errors: EUNAUTHORIZED,
// ENOTFOUND (customer), EINVALID (field hubspotContactId: no such contact), ECONFLICT (HubSpot not enabled),
// EFORBIDDEN (search while allowOutboundSearch is off), EUNAVAILABLE / ERATELIMITED (HubSpot).
type HubspotLinkService interface {
	// ChangeContact links the customer to contactID, chosen by the caller, and forgets a "not this person".
	ChangeContact(ctx context.Context, customerID, contactID string) (*HubspotContactLookup, error)
	// UnlinkContact removes the customer's link and remembers the contact as "not this person".
	UnlinkContact(ctx context.Context, customerID string) (*HubspotContactLookup, error)
	// ContactCandidates lists the contacts sharing the customer's email or phone number, oldest first.
	ContactCandidates(ctx context.Context, customerID string) ([]*HubspotContact, error)
	// ConversationContact is the card of a conversation's customer: the contact picked for that conversation
	// when there is one, else the customer's.
	ConversationContact(ctx context.Context, customerID, conversationID string) (*HubspotContactLookup, error)
}

// HubspotContactService serves the agent's HubSpot card and outbound search. Errors: EUNAUTHORIZED, ENOTFOUND
// (customer), EFORBIDDEN (search while allowOutboundSearch is off). HubSpot trouble is an UNAVAILABLE outcome of
// Contact, not an error; SearchContacts returns EUNAVAILABLE / ERATELIMITED.
type HubspotContactService interface {
	// Contact finds the customer's contact by CRM ID, else email, else phone (never creating one); a unique
	// match links the customer.
	Contact(ctx context.Context, customerID string) (*HubspotContactLookup, error)
	// SearchContacts returns up to five contacts by name, email or phone; queries under 2 characters return
	// nothing without calling HubSpot.
	SearchContacts(ctx context.Context, query string) ([]*HubspotContact, error)
	// ContactToPick reads one contact from HubSpot for Create New Chat opened with it picked, under the same
	// conditions as SearchContacts.
	ContactToPick(ctx context.Context, id string) (*HubspotContact, error)
	// SubscribeContact streams the customer's card each time it changes (webhooks, links, disable) until ctx ends.
	SubscribeContact(ctx context.Context, customerID string) (<-chan *HubspotContactLookup, error)
}

// TopicHubspotContact is the pub/sub topic of changes to one customer's HubSpot card.
func TopicHubspotContact(workspaceID, customerID string) string {
	return "ws:" + workspaceID + ":hubspot:contact:" + customerID
}

// TopicHubspotSyncs is the pub/sub topic of a workspace's sync record changes.
func TopicHubspotSyncs(workspaceID string) string { return "ws:" + workspaceID + ":hubspot:syncs" }

// The transcript sync's queue: the sync records, leased in batches to workers (package hubsync declares the
// queue it needs over these types; package store implements it).

// ErrHubspotSyncLeaseLost is returned when a worker writes a record it no longer holds (another worker rescued it).
var ErrHubspotSyncLeaseLost = errors.New("hubspot sync lease lost")

// ErrHubspotSyncReclosed is returned when an outcome is for a close the record no longer is at (the
// conversation was closed again while the worker ran): the worker decides again.
var ErrHubspotSyncReclosed = errors.New("hubspot sync: the conversation was closed again")

// HubspotSyncClaim is a record leased to one worker, with what the worker needs beyond the admin's view.
type HubspotSyncClaim struct {
	Sync *HubspotSync
	// Lease names the worker's hold; every write of the claim passes it back.
	Lease string
	// Parts are the note IDs by part ("" for a part not written yet).
	Parts []string
	// SyncedClose is the close whose notes Parts are (0: none written yet). Below Sync.CloseNumber, the
	// conversation was reopened and closed again since.
	SyncedClose int
	// Pending are the markers of note creates whose outcome is unknown (sent, answer lost): look for them in
	// HubSpot before writing again.
	Pending []string
}

// HubspotSyncProgress is what a worker has written to HubSpot so far, recorded before it moves on.
type HubspotSyncProgress struct {
	ContactID string
	// Parts are the note IDs by part ("" not written yet).
	Parts       []string
	SyncedClose int
	Pending     []string
	// LeaseFor extends the lease from now.
	LeaseFor time.Duration
}

// HubspotSyncOutcome ends a claim: a final status (SYNCED, SKIPPED, FAILED, CANCELLED), or WAITING or QUEUED until
// RunAt, as the worker decided it (hubsync's next); the queue records it as told.
type HubspotSyncOutcome struct {
	Status     HubspotSyncStatus
	ReasonCode string
	Reason     string
	// Detail is HubSpot's own answer (status, category, message, correlation ID) for the admin.
	Detail      string
	MatchedBy   HubspotMatchRule
	ContactID   string
	ContactName string
	ContactURL  string
	MatchedHow  string
	// Parts are the note IDs by part.
	Parts       []string
	SyncedClose int
	Pending     []string
	Warnings    []string
	// RunAt is when the record is due next (zero: now); Attempts is its attempt count from now on.
	RunAt    time.Time
	Attempts int
	// ForClose, when not 0, is the close the outcome is for: if the record is at another close (closed again
	// meanwhile), nothing is written and ErrHubspotSyncReclosed returned.
	ForClose int
	// AttemptError, when set, is added to the record's AttemptErrors (the latest MaxHubspotSyncAttemptErrors kept).
	AttemptError *HubspotSyncAttemptError
}
