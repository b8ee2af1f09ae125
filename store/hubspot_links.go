package store

import (
	"context"
	"fmt"

	"github.com/convrs/gateway/convrs"
)

// Customer ↔ HubSpot contact links as HubSpot's webhooks change them. These methods act inside the principal's
// workspace like the rest of the store; the webhook handler acts as the system principal of the workspace the
// event's portal is connected to.

// WorkspacesByHubspotPortal returns every workspace connected (CONNECTED, ENABLED or ERROR) to portalID, in ID
// order: several workspaces may connect the same portal, and each receives its webhooks. None is ENOTFOUND.
// It needs no principal: webhooks name only the portal.
func (d *DB) WorkspacesByHubspotPortal(ctx context.Context, portalID int64) ([]string, error) {
	var ids []string
	err := d.db.WithContext(ctx).Model(&integrationRow{}).Where("portal_id = ? AND portal_id <> 0", portalID).
		Order("workspace_id").Pluck("workspace_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: workspaces by hubspot portal: %w", err)
	}
	if len(ids) == 0 {
		return nil, convrs.Errorf(convrs.ENOTFOUND, "No workspace is connected to HubSpot portal %d.", portalID)
	}
	return ids, nil
}

// CustomersLinkedToHubspot returns the IDs of the principal's workspace's customers linked to any of
// contactIDs of portalID.
func (d *DB) CustomersLinkedToHubspot(ctx context.Context, portalID int64, contactIDs []string) ([]string, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	if len(contactIDs) == 0 {
		return nil, nil
	}
	var ids []string
	err = d.db.WithContext(ctx).Model(&customerRow{}).
		Where("workspace_id = ? AND hubspot_portal_id = ? AND hubspot_contact_id IN ?", p.WorkspaceID, portalID, contactIDs).
		Order("id").Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: customers linked to hubspot: %w", err)
	}
	return ids, nil
}

// RelinkHubspotContacts moves the links to any of fromIDs of portalID onto toID (a merge: HubSpot kept toID),
// or removes them when toID is "" (a deletion). It returns the customers it changed. Nothing but the link
// changes: the customers' own details stay as they are.
func (d *DB) RelinkHubspotContacts(ctx context.Context, portalID int64, fromIDs []string, toID string) ([]string, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	var changed []string
	tx := d.db.WithContext(ctx).Begin()
	if tx.Error != nil {
		return nil, fmt.Errorf("store: relink hubspot contacts: %w", tx.Error)
	}
	defer tx.Rollback()
	q := tx.Model(&customerRow{}).Where("workspace_id = ? AND hubspot_portal_id = ? AND hubspot_contact_id IN ?", p.WorkspaceID, portalID, fromIDs)
	if toID != "" {
		q = q.Where("hubspot_contact_id <> ?", toID)
	}
	if err := q.Order("id").Pluck("id", &changed).Error; err != nil {
		return nil, fmt.Errorf("store: relink hubspot contacts: %w", err)
	}
	if len(changed) == 0 {
		return nil, nil
	}
	upd := map[string]any{"hubspot_contact_id": toID, "updated_at": d.now()}
	if toID == "" {
		// A deleted contact: the link and how it was made go.
		upd = linkColumns(0, "", convrs.HubspotLinkSource{})
		upd["updated_at"] = d.now()
	}
	if err := among(tx.Model(&customerRow{}), "id", p.WorkspaceID, changed).Updates(upd).Error; err != nil {
		return nil, fmt.Errorf("store: relink hubspot contacts: %w", err)
	}
	if err := tx.Commit().Error; err != nil {
		return nil, fmt.Errorf("store: relink hubspot contacts: %w", err)
	}
	return changed, nil
}
