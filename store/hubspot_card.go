package store

import (
	"context"
	"fmt"

	"github.com/convrs/gateway/convrs"
)

// The HubSpot app card's reads (issue 21): which workspaces a portal is connected to, and the conversations
// about one of its contacts.

// MaxWorkspacesPerPortal bounds how many workspaces one portal's card answers about.
const MaxWorkspacesPerPortal = 10

// WorkspacesByHubspotPortal returns the workspaces connected (CONNECTED, ENABLED or ERROR) to portalID, at most
// MaxWorkspacesPerPortal, in ID order; none when no workspace is. It needs no principal: the card's request
// names only the portal.
func (d *DB) WorkspacesByHubspotPortal(ctx context.Context, portalID int64) ([]string, error) {
	var ids []string
	if portalID == 0 {
		return nil, nil
	}
	err := d.db.WithContext(ctx).Model(&integrationRow{}).Where("portal_id = ?", portalID).
		Order("workspace_id").Limit(MaxWorkspacesPerPortal).Pluck("workspace_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: workspaces by hubspot portal: %w", err)
	}
	return ids, nil
}

// HubspotContactConversations returns the principal's workspace's conversations about contactID of portalID:
// those of the customers linked to the contact. Open ones come first, then the most recently active; at most
// limit (1 to 100).
func (d *DB) HubspotContactConversations(ctx context.Context, portalID int64, contactID string, limit int) ([]*convrs.Conversation, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	if portalID == 0 || contactID == "" {
		return nil, nil
	}
	limit = min(max(limit, 1), 100)
	// "About the contact" is this one condition. A conversation that carries its own picked contact (started
	// from a HubSpot pick) joins it as `OR (conversations.hubspot_portal_id = ? AND
	// conversations.hubspot_contact_id = ?)`.
	about := "(customers.hubspot_portal_id = ? AND customers.hubspot_contact_id = ?)"
	var rows []conversationRow
	err = d.db.WithContext(ctx).Model(&conversationRow{}).Select("conversations.*").
		Joins("JOIN customers ON customers.id = conversations.customer_id AND customers.workspace_id = conversations.workspace_id").
		Where("conversations.workspace_id = ?", p.WorkspaceID).
		Where(about, portalID, contactID).
		Order("CASE WHEN conversations.status = 'open' THEN 0 ELSE 1 END, conversations.last_message_at DESC, conversations.id").
		Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: hubspot contact conversations: %w", err)
	}
	out := make([]*convrs.Conversation, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}
