package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/convrs/gateway/convrs"
)

// HubspotIntegration returns a workspace's integration; a workspace that never connected is DISCONNECTED.
func (d *DB) HubspotIntegration(ctx context.Context, workspaceID string) (*convrs.HubspotIntegration, error) {
	var row integrationRow
	err := d.db.WithContext(ctx).Where("workspace_id = ?", workspaceID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return &convrs.HubspotIntegration{WorkspaceID: workspaceID, State: convrs.IntegrationDisconnected}, nil
	} else if err != nil {
		return nil, fmt.Errorf("store: hubspot integration: %w", err)
	}
	return row.domain(), nil
}

// PortalChange says what connecting workspaceID to portalID would change: the portal it is (or its customers
// are) linked to now, if another, and how many customers are linked to contacts of another portal. A zero
// oldPortal and linked mean nothing changes.
func (d *DB) PortalChange(ctx context.Context, workspaceID string, portalID int64) (oldPortal, linked int64, err error) {
	var res struct {
		N      int64
		Portal int64
	}
	err = d.db.WithContext(ctx).Model(&customerRow{}).Select("COUNT(*) AS n, COALESCE(MAX(hubspot_portal_id), 0) AS portal").
		Where("workspace_id = ? AND hubspot_contact_id <> '' AND hubspot_portal_id <> ?", workspaceID, portalID).Scan(&res).Error
	if err != nil {
		return 0, 0, fmt.Errorf("store: portal change: %w", err)
	}
	oldPortal = res.Portal
	var current int64
	if err := d.db.WithContext(ctx).Model(&integrationRow{}).Select("portal_id").Where("workspace_id = ?", workspaceID).Scan(&current).Error; err != nil {
		return 0, 0, fmt.Errorf("store: portal change: %w", err)
	}
	if current != 0 && current != portalID {
		oldPortal = current
	}
	return oldPortal, res.N, nil
}

// SaveHubspotConnection stores a completed connection. Options are kept. Reconnecting the same portal restores
// ENABLED if syncing was on (enabled_at is kept); a new portal starts CONNECTED with syncing off, and
// the customers' links to the old portal's contacts are cleared, since those IDs mean nothing in the new one.
// The sealed refresh token it replaces (another portal's, or an older one of the same portal) is returned, for
// the caller to revoke.
func (d *DB) SaveHubspotConnection(ctx context.Context, c convrs.HubspotConnection) (integ *convrs.HubspotIntegration, replacedRefreshEnc string, err error) {
	now := d.now()
	err = d.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row integrationRow
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("workspace_id = ?", c.WorkspaceID).Take(&row).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			row = integrationRow{WorkspaceID: c.WorkspaceID}
		} else if err != nil {
			return err
		}
		samePortal := row.PortalID == c.PortalID
		replacedRefreshEnc = row.RefreshTokenEnc
		state := convrs.IntegrationConnected
		if samePortal && row.EnabledAt != nil {
			state = convrs.IntegrationEnabled
		} else {
			row.EnabledAt = nil // syncing off: closes queue nothing, and what was queued is cancelled
			if err := d.cancelHubspotSyncs(tx, c.WorkspaceID); err != nil {
				return err
			}
		}
		if !samePortal {
			if err := tx.Model(&customerRow{}).Where("workspace_id = ? AND hubspot_contact_id <> '' AND hubspot_portal_id <> ?", c.WorkspaceID, c.PortalID).
				Updates(map[string]any{"hubspot_contact_id": "", "hubspot_portal_id": 0, "updated_at": now}).Error; err != nil {
				return err
			}
		}
		expires := c.TokenExpiresAt.UTC()
		row.State, row.PortalID, row.UIDomain, row.HubUserEmail = string(state), c.PortalID, c.UIDomain, c.HubUserEmail
		row.Scopes, row.ConnectedAt, row.ConnectedBy, row.ErrorReason = strings.Join(c.Scopes, " "), &now, c.ConnectedBy, ""
		row.AccessTokenEnc, row.RefreshTokenEnc, row.TokenExpiresAt, row.UpdatedAt = c.AccessTokenEnc, c.RefreshTokenEnc, &expires, now
		return tx.Save(&row).Error
	})
	if err != nil {
		return nil, "", fmt.Errorf("store: save hubspot connection: %w", err)
	}
	integ, err = d.HubspotIntegration(ctx, c.WorkspaceID)
	return integ, replacedRefreshEnc, err
}

// EnableHubspot turns syncing on (closes queue their transcript sync from now on) and sets ENABLED, only from
// CONNECTED.
func (d *DB) EnableHubspot(ctx context.Context, workspaceID string) (*convrs.HubspotIntegration, error) {
	return d.transition(ctx, workspaceID, func(tx *gorm.DB, row *integrationRow) error {
		if row.State != string(convrs.IntegrationConnected) {
			return convrs.Errorf(convrs.ECONFLICT, "HubSpot can only be enabled when it is connected and not yet enabled (it is %s).", strings.ToLower(row.State))
		}
		now := d.now()
		row.State, row.EnabledAt = string(convrs.IntegrationEnabled), &now
		return nil
	})
}

// SaveHubspotOptions stores the Options section.
func (d *DB) SaveHubspotOptions(ctx context.Context, workspaceID string, o convrs.HubspotOptions) (*convrs.HubspotIntegration, error) {
	return d.transition(ctx, workspaceID, func(tx *gorm.DB, row *integrationRow) error {
		row.AllowOutboundSearch, row.RequireOutboundMatch = o.AllowOutboundSearch, o.RequireOutboundMatch
		return nil
	})
}

// MarkHubspotError puts a connected integration in ERROR with a reason for the admin. Options, syncing
// (enabled_at) and queued syncs stay: work waits for the reconnect. It applies only while the connection made at connectedAt
// is the current one (ECONFLICT otherwise): a stale failure must not condemn a newer connection.
func (d *DB) MarkHubspotError(ctx context.Context, workspaceID string, connectedAt *time.Time, reason string) (*convrs.HubspotIntegration, error) {
	return d.transition(ctx, workspaceID, func(tx *gorm.DB, row *integrationRow) error {
		if connectedAt == nil || row.ConnectedAt == nil || !row.ConnectedAt.Equal(*connectedAt) {
			return convrs.Errorf(convrs.ECONFLICT, "The integration was reconnected since.")
		}
		row.State, row.ErrorReason = string(convrs.IntegrationError), reason
		return nil
	})
}

// transition runs fn on the workspace's integration row under a row lock and saves it. A workspace without one
// is ECONFLICT: HubSpot must be connected first.
func (d *DB) transition(ctx context.Context, workspaceID string, fn func(tx *gorm.DB, row *integrationRow) error) (*convrs.HubspotIntegration, error) {
	var out *convrs.HubspotIntegration
	err := d.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row integrationRow
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("workspace_id = ?", workspaceID).Take(&row).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return convrs.Errorf(convrs.ECONFLICT, "HubSpot is not connected. Click Integrate first.")
		} else if err != nil {
			return err
		}
		if err := fn(tx, &row); err != nil {
			return err
		}
		row.UpdatedAt = d.now()
		if err := tx.Save(&row).Error; err != nil {
			return err
		}
		out = row.domain()
		return nil
	})
	return out, err
}

// DeleteHubspotIntegration forgets a workspace's integration (tokens, options, syncing) and cancels the syncs
// that have not run. It returns the sealed refresh token that was stored, so the caller can revoke it at HubSpot.
func (d *DB) DeleteHubspotIntegration(ctx context.Context, workspaceID string) (refreshTokenEnc string, err error) {
	err = d.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row integrationRow
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("workspace_id = ?", workspaceID).Take(&row).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return convrs.Errorf(convrs.ECONFLICT, "HubSpot is not connected.")
		} else if err != nil {
			return err
		}
		refreshTokenEnc = row.RefreshTokenEnc
		if err := d.cancelHubspotSyncs(tx, workspaceID); err != nil {
			return err
		}
		return tx.Where("workspace_id = ?", workspaceID).Delete(&integrationRow{}).Error
	})
	if err != nil && convrs.ErrorCode(err) == convrs.EINTERNAL {
		err = fmt.Errorf("store: delete hubspot integration: %w", err)
	}
	return refreshTokenEnc, err
}

// HubspotTokens returns a workspace's sealed tokens, or nil when it has none.
func (d *DB) HubspotTokens(ctx context.Context, workspaceID string) (*convrs.SealedHubspotTokens, error) {
	var row integrationRow
	err := d.db.WithContext(ctx).Where("workspace_id = ?", workspaceID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && row.RefreshTokenEnc == "") {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("store: hubspot tokens: %w", err)
	}
	t := &convrs.SealedHubspotTokens{PortalID: row.PortalID, AccessTokenEnc: row.AccessTokenEnc, RefreshTokenEnc: row.RefreshTokenEnc}
	if row.TokenExpiresAt != nil {
		t.ExpiresAt = *row.TokenExpiresAt
	}
	return t, nil
}

// SaveHubspotTokens stores refreshed tokens, only if the workspace is still connected to portalID: a refresh
// finishing after a Disable or a reconnect to another portal must not resurrect old tokens.
func (d *DB) SaveHubspotTokens(ctx context.Context, workspaceID string, portalID int64, t convrs.SealedHubspotTokens) error {
	res := d.db.WithContext(ctx).Model(&integrationRow{}).Where("workspace_id = ? AND portal_id = ?", workspaceID, portalID).
		Updates(map[string]any{"access_token_enc": t.AccessTokenEnc, "refresh_token_enc": t.RefreshTokenEnc,
			"token_expires_at": t.ExpiresAt.UTC(), "updated_at": d.now()})
	if res.Error != nil {
		return fmt.Errorf("store: save hubspot tokens: %w", res.Error)
	} else if res.RowsAffected == 0 {
		return convrs.Errorf(convrs.ECONFLICT, "HubSpot is no longer connected to that portal.")
	}
	return nil
}

// ConnectedHubspotWorkspaces lists the workspaces whose integration holds tokens and is not in ERROR.
func (d *DB) ConnectedHubspotWorkspaces(ctx context.Context) ([]string, error) {
	var ids []string
	err := d.db.WithContext(ctx).Model(&integrationRow{}).Where("state IN ? AND refresh_token_enc <> ''",
		[]string{string(convrs.IntegrationConnected), string(convrs.IntegrationEnabled)}).Order("workspace_id").Pluck("workspace_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: connected hubspot workspaces: %w", err)
	}
	return ids, nil
}
