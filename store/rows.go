package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/convrs/gateway/convrs"
)

// Row types mirror the tables; they convert to and from the domain types so that gorm tags stay out of convrs.

type workspaceRow struct {
	ID            string `gorm:"primaryKey"`
	Name          string
	DefaultRegion string
	TimeZone      string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (workspaceRow) TableName() string { return "workspaces" }

func (r *workspaceRow) domain() *convrs.Workspace {
	return &convrs.Workspace{ID: r.ID, Name: r.Name, DefaultRegion: r.DefaultRegion, TimeZone: r.TimeZone, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

type staffRow struct {
	ID          string `gorm:"primaryKey"`
	WorkspaceID string
	Name        string
	Email       string
	Role        string
	CreatedAt   time.Time
}

func (staffRow) TableName() string { return "staff" }

func (r *staffRow) domain() *convrs.Staff {
	return &convrs.Staff{ID: r.ID, WorkspaceID: r.WorkspaceID, Name: r.Name, Email: r.Email, Role: convrs.Role(r.Role), CreatedAt: r.CreatedAt}
}

type customerRow struct {
	ID                   string `gorm:"primaryKey"`
	WorkspaceID          string
	Email                string
	Phone                string
	PhoneRaw             string
	FirstName            string
	LastName             string
	HubspotContactID     string
	HubspotPortalID      int64
	HubspotLinkRule      string
	HubspotLinkValue     string
	HubspotLinkStaffID   string
	HubspotLinkStaffName string
	HubspotLinkedAt      *time.Time
	HubspotNotThisPerson string
	CreatedAt            time.Time
	UpdatedAt            time.Time
}

func (customerRow) TableName() string { return "customers" }

func (r *customerRow) domain() *convrs.Customer {
	c := &convrs.Customer{ID: r.ID, WorkspaceID: r.WorkspaceID, Email: r.Email, Phone: r.Phone, PhoneRaw: r.PhoneRaw,
		FirstName: r.FirstName, LastName: r.LastName, HubspotContactID: r.HubspotContactID, HubspotPortalID: r.HubspotPortalID,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.HubspotContactID != "" {
		c.HubspotLink = convrs.HubspotLinkSource{Rule: convrs.HubspotMatchRule(r.HubspotLinkRule), Value: r.HubspotLinkValue,
			StaffID: r.HubspotLinkStaffID, StaffName: r.HubspotLinkStaffName}
		if r.HubspotLinkedAt != nil {
			c.HubspotLink.At = *r.HubspotLinkedAt
		}
	}
	for _, f := range strings.Fields(r.HubspotNotThisPerson) {
		if ref, ok := convrs.ParseHubspotContactRef(f); ok {
			c.HubspotNotThisPerson = append(c.HubspotNotThisPerson, ref)
		}
	}
	return c
}

// linkColumns are the column values that link a customer to contactID of portal, as src says it was made.
func linkColumns(portal int64, contactID string, src convrs.HubspotLinkSource) map[string]any {
	var at *time.Time
	if !src.At.IsZero() {
		t := src.At
		at = &t
	}
	return map[string]any{"hubspot_contact_id": contactID, "hubspot_portal_id": portal, "hubspot_link_rule": string(src.Rule),
		"hubspot_link_value": src.Value, "hubspot_link_staff_id": src.StaffID, "hubspot_link_staff_name": src.StaffName,
		"hubspot_linked_at": at}
}

// withoutNotThisPerson returns the stored "not this person" list without ref.
func withoutNotThisPerson(list string, ref convrs.HubspotContactRef) string {
	var out []string
	for _, f := range strings.Fields(list) {
		if f != ref.String() {
			out = append(out, f)
		}
	}
	return strings.Join(out, " ")
}

type conversationRow struct {
	ID              string `gorm:"primaryKey"`
	WorkspaceID     string
	CustomerID      string
	Channel         string
	Subject         string
	Status          string
	AssignedStaffID string
	OpenedAt        time.Time
	ClosedAt        *time.Time
	LastMessageAt   time.Time
	UpdatedAt       time.Time
	// The contact the agent picked when starting the chat (Create New Chat), and who picked it.
	HubspotContactID    string
	HubspotPortalID     int64
	HubspotPickedByID   string
	HubspotPickedByName string
}

func (conversationRow) TableName() string { return "conversations" }

func (r *conversationRow) domain() *convrs.Conversation {
	c := &convrs.Conversation{ID: r.ID, WorkspaceID: r.WorkspaceID, CustomerID: r.CustomerID, Channel: r.Channel, Subject: r.Subject,
		Status: convrs.ConversationStatus(r.Status), AssignedStaffID: r.AssignedStaffID, OpenedAt: r.OpenedAt, ClosedAt: r.ClosedAt,
		LastMessageAt: r.LastMessageAt, UpdatedAt: r.UpdatedAt, HubspotContactID: r.HubspotContactID, HubspotPortalID: r.HubspotPortalID}
	if r.HubspotContactID != "" {
		c.HubspotPickedBy = convrs.HubspotLinkSource{Rule: convrs.MatchChosen, StaffID: r.HubspotPickedByID, StaffName: r.HubspotPickedByName, At: r.OpenedAt}
	}
	return c
}

type messageRow struct {
	ID             string `gorm:"primaryKey"`
	WorkspaceID    string
	ConversationID string
	AuthorKind     string
	AuthorName     string
	AuthorStaffID  string
	Text           string
	CreatedAt      time.Time
}

func (messageRow) TableName() string { return "messages" }

func (r *messageRow) domain() *convrs.Message {
	return &convrs.Message{ID: r.ID, ConversationID: r.ConversationID, AuthorKind: convrs.AuthorKind(r.AuthorKind), AuthorName: r.AuthorName,
		AuthorStaffID: r.AuthorStaffID, Text: r.Text, CreatedAt: r.CreatedAt}
}

type integrationRow struct {
	WorkspaceID          string `gorm:"primaryKey"`
	State                string
	PortalID             int64
	UIDomain             string `gorm:"column:ui_domain"`
	HubUserEmail         string
	Scopes               string
	ConnectedAt          *time.Time
	EnabledAt            *time.Time
	ConnectedBy          string
	ErrorReason          string
	AllowOutboundSearch  bool
	RequireOutboundMatch bool
	AccessTokenEnc       string
	RefreshTokenEnc      string
	TokenExpiresAt       *time.Time
	UpdatedAt            time.Time
}

func (integrationRow) TableName() string { return "hubspot_integrations" }

func (r *integrationRow) domain() *convrs.HubspotIntegration {
	var scopes []string
	if r.Scopes != "" {
		scopes = strings.Split(r.Scopes, " ")
	}
	return &convrs.HubspotIntegration{WorkspaceID: r.WorkspaceID, State: convrs.IntegrationState(r.State), PortalID: r.PortalID,
		UIDomain: r.UIDomain, HubUserEmail: r.HubUserEmail, Scopes: scopes, ConnectedAt: r.ConnectedAt, EnabledAt: r.EnabledAt,
		ErrorReason: r.ErrorReason, UpdatedAt: r.UpdatedAt,
		Options: convrs.HubspotOptions{AllowOutboundSearch: r.AllowOutboundSearch, RequireOutboundMatch: r.RequireOutboundMatch}}
}

func marshalEvent(ev convrs.ConversationEvent) ([]byte, error) { return json.Marshal(ev) }

// among selects the rows of workspace whose col (a unique column) is among ids. The workspace is compared in a
// form no index serves: SQLite, which keeps no statistics here, assumes a workspace has about ten rows, so from
// ten IDs up it read every row of the workspace through an index led by workspace_id instead of looking each
// ID up (a batch of 100 of a workspace of 10,000 conversations read all 10,000).
func among(db *gorm.DB, col, workspaceID string, ids []string) *gorm.DB {
	return db.Where("workspace_id || '' = ? AND "+col+" IN ?", workspaceID, ids)
}

// findAmong reads the rows of the caller's workspace among ids (one query), in no particular order; op names
// the operation in errors.
func findAmong[T, R any, PR interface {
	*R
	domain() *T
}](ctx context.Context, d *DB, ids []string, op string) ([]*T, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	var rows []R
	if err := among(d.db.WithContext(ctx), "id", p.WorkspaceID, ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: %s: %w", op, err)
	}
	out := make([]*T, len(rows))
	for i := range rows {
		out[i] = PR(&rows[i]).domain()
	}
	return out, nil
}
