package convrs

import (
	"context"
	"time"
)

// Workspace is one Convrs tenant.
type Workspace struct {
	ID   string
	Name string
	// DefaultRegion is the ISO 3166-1 alpha-2 region used to read phone numbers written without a country code.
	DefaultRegion string
	// TimeZone is an IANA zone name, used to show times in transcripts.
	TimeZone  string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// WorkspaceUpdate holds the settings an admin may change; nil fields are left as they are.
type WorkspaceUpdate struct {
	Name          *string
	DefaultRegion *string
	TimeZone      *string
}

// Staff is a person who works in a workspace: an admin or an agent.
type Staff struct {
	ID          string
	WorkspaceID string
	Name        string
	Email       string
	Role        Role
	CreatedAt   time.Time
}

// Customer is a person the workspace chats with (the help page's "user").
type Customer struct {
	ID          string
	WorkspaceID string
	Email       string
	// Phone is the number in E.164 form (+447911123456), empty when unknown.
	Phone string
	// PhoneRaw is the number as it was entered.
	PhoneRaw  string
	FirstName string
	LastName  string
	// HubspotContactID links the customer to a HubSpot contact of HubspotPortalID, once known.
	HubspotContactID string
	HubspotPortalID  int64
	// HubspotLink is how the link was made: the rule and value matched, or who chose the contact and when.
	HubspotLink HubspotLinkSource
	// HubspotNotThisPerson are the contacts an agent unlinked as "not this person": the rules never match the
	// customer to them again until someone links one.
	HubspotNotThisPerson []HubspotContactRef
	CreatedAt            time.Time
	UpdatedAt            time.Time
}

// Name returns the customer's full name, or "" when neither part is known.
func (c *Customer) Name() string {
	switch {
	case c.FirstName != "" && c.LastName != "":
		return c.FirstName + " " + c.LastName
	case c.FirstName != "":
		return c.FirstName
	default:
		return c.LastName
	}
}

// AuthorName is how the customer's messages are signed: their name, or "Visitor" when it is unknown.
func (c *Customer) AuthorName() string {
	if n := c.Name(); n != "" {
		return n
	}
	return "Visitor"
}

// CustomerInput holds what staff may write about a customer. Nil fields are left as they are on update.
type CustomerInput struct {
	Email     *string
	Phone     *string
	FirstName *string
	LastName  *string
}

// ConversationStatus is whether a conversation is open or closed.
type ConversationStatus string

const (
	ConversationOpen   ConversationStatus = "open"
	ConversationClosed ConversationStatus = "closed"
)

// Conversation is one chat between the workspace and a customer.
type Conversation struct {
	ID              string
	WorkspaceID     string
	CustomerID      string
	Channel         string // "web", "whatsapp", "sms", "email"
	Subject         string
	Status          ConversationStatus
	AssignedStaffID string
	OpenedAt        time.Time
	ClosedAt        *time.Time
	// LastMessageAt orders the inbox.
	LastMessageAt time.Time
	UpdatedAt     time.Time
	// HubspotContactID (of HubspotPortalID) is the contact the agent picked when starting the chat: its
	// transcript goes there whatever the customer's own link says. HubspotPickedBy says who picked it.
	HubspotContactID string
	HubspotPortalID  int64
	HubspotPickedBy  HubspotLinkSource
}

// AuthorKind says who wrote a message.
type AuthorKind string

const (
	AuthorCustomer AuthorKind = "customer"
	AuthorAgent    AuthorKind = "agent"
	AuthorSystem   AuthorKind = "system"
)

// Message is one line of a conversation.
type Message struct {
	ID             string
	ConversationID string
	AuthorKind     AuthorKind
	AuthorName     string
	// AuthorStaffID is set on agent messages.
	AuthorStaffID string
	Text          string
	CreatedAt     time.Time
}

// MessagePage selects a page of a conversation's messages: the Last most recent ones, before the message
// Before if it is set, oldest first.
type MessagePage struct {
	Last   int
	Before string
}

// Message page sizes: what a conversation shows unless asked otherwise, and the most one page may hold.
const (
	DefaultMessagePage = 500
	MaxMessagePage     = 1000
)

// ConversationFilter selects conversations. Zero values select everything.
type ConversationFilter struct {
	Status     ConversationStatus
	CustomerID string
	Limit      int
}

// StartConversationInput starts an outbound conversation, creating or reusing the customer.
type StartConversationInput struct {
	// CustomerID reuses an existing customer; otherwise Customer describes a new or matched one.
	CustomerID string
	Customer   CustomerInput
	Channel    string
	Subject    string
	Message    string
	// HubspotContactID is the contact picked in outbound search: the server fetches it from HubSpot itself and
	// the conversation carries it (contact fields sent by the browser are never trusted).
	HubspotContactID string
	// LinkCustomer also makes the picked contact the existing customer's (CustomerID) contact from now on.
	LinkCustomer bool
	// Pick is the picked contact as the server fetched it; only the server sets it, never the browser.
	Pick *HubspotPick
}

// WorkspaceService reads and changes workspaces. Errors: ENOTFOUND, EFORBIDDEN (update by an agent), EINVALID.
type WorkspaceService interface {
	FindWorkspace(ctx context.Context, id string) (*Workspace, error)
	UpdateWorkspace(ctx context.Context, id string, upd WorkspaceUpdate) (*Workspace, error)
}

// StaffService reads staff. Errors: ENOTFOUND.
type StaffService interface {
	FindStaff(ctx context.Context, id string) (*Staff, error)
	// FindStaffMembers returns the staff of the caller's workspace among ids, in no particular order (the
	// dataloader's batch read).
	FindStaffMembers(ctx context.Context, ids []string) ([]*Staff, error)
	ListStaff(ctx context.Context) ([]*Staff, error)
}

// CustomerService reads and writes the caller's workspace's customers. Errors: ENOTFOUND, EINVALID (naming the
// field: an email or phone that does not parse).
type CustomerService interface {
	FindCustomer(ctx context.Context, id string) (*Customer, error)
	FindCustomers(ctx context.Context, ids []string) ([]*Customer, error)
	ListCustomers(ctx context.Context, query string, limit int) ([]*Customer, error)
	CreateCustomer(ctx context.Context, in CustomerInput) (*Customer, error)
	UpdateCustomer(ctx context.Context, id string, in CustomerInput) (*Customer, error)
}

// ConversationService reads and changes the caller's workspace's conversations. Errors: ENOTFOUND, EINVALID,
// ECONFLICT (closing a closed conversation, writing to a closed one).
type ConversationService interface {
	ListConversations(ctx context.Context, f ConversationFilter) ([]*Conversation, error)
	FindConversation(ctx context.Context, id string) (*Conversation, error)
	ListMessages(ctx context.Context, conversationID string) ([]*Message, error)
	// ListMessagesOf returns a page of messages of each of the conversations (the dataloader's batch read),
	// keyed by conversation ID; conversations of other workspaces have none.
	ListMessagesOf(ctx context.Context, conversationIDs []string, page MessagePage) (map[string][]*Message, error)
	FindMessage(ctx context.Context, id string) (*Message, error)
	// SendMessage posts text as the calling agent.
	SendMessage(ctx context.Context, conversationID, text string) (*Message, error)
	// PostCustomerMessage posts text as the conversation's customer (the demo console's customer side).
	PostCustomerMessage(ctx context.Context, conversationID, text string) (*Message, error)
	// CloseConversation closes it and, in the same transaction, queues its transcript sync when the workspace
	// syncs to HubSpot (the sync's queue is its records).
	CloseConversation(ctx context.Context, id string) (*Conversation, error)
	ReopenConversation(ctx context.Context, id string) (*Conversation, error)
	StartConversation(ctx context.Context, in StartConversationInput) (*Conversation, error)
}

// ConversationEventKind names what happened to a conversation.
type ConversationEventKind string

const (
	ConversationCreated       ConversationEventKind = "CREATED"
	ConversationMessageAdded  ConversationEventKind = "MESSAGE_ADDED"
	ConversationEventClosed   ConversationEventKind = "CLOSED"
	ConversationEventReopened ConversationEventKind = "REOPENED"
)

// ConversationEvent is published on a workspace's conversation topic.
type ConversationEvent struct {
	Kind           ConversationEventKind `json:"kind"`
	WorkspaceID    string                `json:"workspaceId"`
	ConversationID string                `json:"conversationId"`
	MessageID      string                `json:"messageId,omitempty"`
}

// TopicConversations is the pub/sub topic of a workspace's conversation events.
func TopicConversations(workspaceID string) string { return "ws:" + workspaceID + ":conversations" }

// TopicHubspot is the pub/sub topic of a workspace's HubSpot integration and sync changes.
func TopicHubspot(workspaceID string) string { return "ws:" + workspaceID + ":hubspot" }
