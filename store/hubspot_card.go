package store

import (
	"context"
	"fmt"

	"github.com/convrs/gateway/convrs"
)

// The HubSpot app card's reads (issue 21): which workspaces a portal is connected to, and the conversations
// about one of its contacts.

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
	// "About the contact": a conversation started from a HubSpot pick of it (its transcript goes there), or a
	// conversation without a pick whose customer is linked to it.
	about := "((conversations.hubspot_portal_id = ? AND conversations.hubspot_contact_id = ?) OR " +
		"(conversations.hubspot_contact_id = '' AND customers.hubspot_portal_id = ? AND customers.hubspot_contact_id = ?))"
	var rows []conversationRow
	err = d.db.WithContext(ctx).Model(&conversationRow{}).Select("conversations.*").
		Joins("JOIN customers ON customers.id = conversations.customer_id AND customers.workspace_id = conversations.workspace_id").
		Where("conversations.workspace_id = ?", p.WorkspaceID).
		Where(about, portalID, contactID, portalID, contactID).
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
