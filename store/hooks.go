package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/convrs/gateway/convrs"
)

var _ convrs.HookService = (*DB)(nil)

// SetHook registers (on) or removes (off) the hook target for event in the caller's workspace. Removing the
// transcript hook also cancels the transcript syncs that have not run yet. Admin only.
func (d *DB) SetHook(ctx context.Context, event, target string, on bool) error {
	p, err := convrs.RequireAdmin(ctx)
	if err != nil {
		return err
	}
	return d.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return d.setHook(tx, p.WorkspaceID, event, target, on) })
}

func (d *DB) setHook(tx *gorm.DB, workspaceID, event, target string, on bool) error {
	if on {
		row := hookRow{WorkspaceID: workspaceID, Event: event, Target: target, CreatedAt: d.now()}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
			return fmt.Errorf("store: set hook: %w", err)
		}
		return nil
	}
	if err := tx.Where("workspace_id = ? AND event = ? AND target = ?", workspaceID, event, target).Delete(&hookRow{}).Error; err != nil {
		return fmt.Errorf("store: delete hook: %w", err)
	}
	if target == convrs.HookHubspotTranscript {
		// Sync records are the admin's history: cancelled, never deleted.
		return d.cancelHubspotSyncs(tx, workspaceID)
	}
	return nil
}

// Hooks lists the caller's workspace's hooks as "event → target".
func (d *DB) Hooks(ctx context.Context) ([]string, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	var rows []hookRow
	if err := d.db.WithContext(ctx).Where("workspace_id = ?", p.WorkspaceID).Order("event, target").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: hooks: %w", err)
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Event + " → " + r.Target
	}
	return out, nil
}

// runHooks queues, inside tx, the work the workspace's hooks of event ask for: the transcript hook queues the
// conversation's sync record (what the sync workers run), returned for announcing after commit.
func (d *DB) runHooks(tx *gorm.DB, workspaceID, event string, conv *conversationRow, at time.Time) (*hubspotSyncRow, error) {
	var hooks []hookRow
	if err := tx.Where("workspace_id = ? AND event = ?", workspaceID, event).Find(&hooks).Error; err != nil {
		return nil, fmt.Errorf("store: hooks of %s: %w", event, err)
	}
	var sync *hubspotSyncRow
	for _, h := range hooks {
		if h.Target == convrs.HookHubspotTranscript && event == convrs.EventConversationClosed {
			var err error
			if sync, err = d.enqueueHubspotSync(tx, conv, at); err != nil {
				return nil, err
			}
		}
	}
	return sync, nil
}
