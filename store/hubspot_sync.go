package store

import (
	"context"
	"database/sql/driver"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/convrs/gateway/convrs"
)

// The transcript sync's records are its queue too: a record is due when it is QUEUED or WAITING and its run_at
// has passed, or RUNNING with a lease that lapsed (its worker died). ClaimHubspotSyncs leases due records to
// one worker; every later write of that worker names its lease, so a worker that lost it cannot overwrite the
// record (convrs.ErrHubspotSyncLeaseLost). The types and the rules of what comes next are the sync's (package
// hubsync, over the types of package convrs); the store persists what it is told.

type hubspotSyncRow struct {
	ID             string `gorm:"primaryKey"`
	WorkspaceID    string
	ConversationID string
	CustomerID     string
	ClosedAt       time.Time
	CloseNumber    int
	SyncedClose    int
	Status         string
	ReasonCode     string
	Reason         string
	Detail         string
	MatchedBy      string
	ContactID      string
	ContactName    string
	ContactURL     string `gorm:"column:contact_url"`
	MatchedHow     string
	NoteIDs        string `gorm:"column:note_ids"`
	Pending        string
	Warnings       string
	AttemptErrors  string
	Attempts       int
	RunAt          time.Time
	LeaseOwner     string
	LeaseUntil     *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (hubspotSyncRow) TableName() string { return "hubspot_syncs" }

func (r *hubspotSyncRow) domain() *convrs.HubspotSync {
	s := &convrs.HubspotSync{ID: r.ID, WorkspaceID: r.WorkspaceID, ConversationID: r.ConversationID, CustomerID: r.CustomerID,
		ClosedAt: r.ClosedAt, CloseNumber: r.CloseNumber, Status: convrs.HubspotSyncStatus(r.Status), ReasonCode: r.ReasonCode,
		Reason: r.Reason, Detail: r.Detail, MatchedBy: convrs.HubspotMatchRule(r.MatchedBy), ContactID: r.ContactID, ContactName: r.ContactName,
		ContactURL: r.ContactURL, MatchedHow: r.MatchedHow, NoteIDs: nonEmpty(splitList(r.NoteIDs)), Attempts: r.Attempts, Warnings: decodeList(r.Warnings),
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.AttemptErrors != "" {
		_ = json.Unmarshal([]byte(r.AttemptErrors), &s.AttemptErrors)
	}
	if s.Status == convrs.SyncWaiting || s.Status == convrs.SyncQueued {
		t := r.RunAt
		s.NextAttemptAt = &t
	}
	return s
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func nonEmpty(l []string) []string {
	var out []string
	for _, s := range l {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func decodeList(s string) []string {
	var out []string
	if s != "" {
		_ = json.Unmarshal([]byte(s), &out)
	}
	return out
}

func encodeList(l []string) string {
	if len(l) == 0 {
		return ""
	}
	b, _ := json.Marshal(l)
	return string(b)
}

// enqueueHubspotSync records, inside the close's transaction, that the conversation's transcript must be
// written: a new QUEUED record, or for a re-close the conversation's record queued again for this close.
func (d *DB) enqueueHubspotSync(tx *gorm.DB, conv *conversationRow, closedAt time.Time) (*hubspotSyncRow, error) {
	now := d.now()
	var row hubspotSyncRow
	err := tx.Where("conversation_id = ?", conv.ID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		row = hubspotSyncRow{ID: newID("hss"), WorkspaceID: conv.WorkspaceID, ConversationID: conv.ID, CustomerID: conv.CustomerID,
			ClosedAt: closedAt, CloseNumber: 1, Status: string(convrs.SyncQueued), RunAt: now, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&row).Error; err != nil {
			return nil, fmt.Errorf("store: enqueue hubspot sync: %w", err)
		}
		return &row, d.syncQueued(tx)
	} else if err != nil {
		return nil, fmt.Errorf("store: enqueue hubspot sync: %w", err)
	}
	updates := map[string]any{"closed_at": closedAt, "close_number": row.CloseNumber + 1, "customer_id": conv.CustomerID,
		"attempts": 0, "run_at": now, "updated_at": now, "reason_code": "", "reason": "", "detail": ""}
	// A running worker keeps its lease: it sees the new close number when it finishes and queues the record again.
	if row.Status != string(convrs.SyncRunning) {
		updates["status"] = string(convrs.SyncQueued)
	}
	if err := tx.Model(&hubspotSyncRow{}).Where("id = ?", row.ID).Updates(updates).Error; err != nil {
		return nil, fmt.Errorf("store: requeue hubspot sync: %w", err)
	}
	if err := tx.Where("id = ?", row.ID).Take(&row).Error; err != nil {
		return nil, err
	}
	return &row, d.syncQueued(tx)
}

// queueTranscriptSync queues, inside a close's transaction, the conversation's transcript sync when the
// workspace syncs to HubSpot: its integration was enabled and not disabled since (one in ERROR keeps syncing on:
// its records wait for the reconnect). The integration row is read under a share lock, so a Disable committing
// meanwhile waits for this close, then cancels what it queued. It returns the record queued, or nil.
func (d *DB) queueTranscriptSync(tx *gorm.DB, workspaceID string, conv *conversationRow, at time.Time) (*hubspotSyncRow, error) {
	var on []string
	if err := tx.Model(&integrationRow{}).Clauses(clause.Locking{Strength: "SHARE"}).Where("workspace_id = ? AND enabled_at IS NOT NULL", workspaceID).
		Pluck("workspace_id", &on).Error; err != nil {
		return nil, fmt.Errorf("store: is syncing on: %w", err)
	}
	if len(on) == 0 {
		return nil, nil
	}
	return d.enqueueHubspotSync(tx, conv, at)
}

// cancelHubspotSyncs marks a workspace's syncs that have not run as CANCELLED (Disable), inside tx.
func (d *DB) cancelHubspotSyncs(tx *gorm.DB, workspaceID string) error {
	err := tx.Model(&hubspotSyncRow{}).Where("workspace_id = ? AND status IN ?", workspaceID,
		[]string{string(convrs.SyncQueued), string(convrs.SyncWaiting)}).
		Updates(map[string]any{"status": string(convrs.SyncCancelled), "reason_code": convrs.SyncReasonDisabled,
			"reason": "HubSpot was disconnected before this transcript was written. It is written if an administrator connects and enables HubSpot again, then presses Retry.",
			"detail": "", "lease_owner": "", "updated_at": d.now()}).Error
	if err != nil {
		return fmt.Errorf("store: cancel hubspot syncs: %w", err)
	}
	return nil
}

// inQueue is the condition of the queue's indexes (migration 10), word for word: a query of the queue names it
// so that both engines walk those indexes, which hold no finished record.
const inQueue = "status IN ('QUEUED','WAITING','RUNNING')"

// claimSQL are the claim's queries: the workspace of the record due first, then its due records in due
// order (arguments: now, now; then the workspace, now, now, the limit). lock ends each (PostgreSQL's row lock).
func claimSQL(lock string) (pick, batch string) {
	due := inQueue + " AND ((status IN ('QUEUED','WAITING') AND run_at <= ?) OR (status = 'RUNNING' AND lease_until < ?))"
	return `SELECT workspace_id FROM hubspot_syncs WHERE ` + due + ` ORDER BY run_at LIMIT 1` + lock,
		`SELECT id FROM hubspot_syncs WHERE workspace_id = ? AND ` + due + ` ORDER BY run_at, id LIMIT ?` + lock
}

// ClaimHubspotSyncs leases up to limit due records of one workspace (the one whose oldest record is due
// first) to lease for leaseFor, counting an attempt on each. On PostgreSQL concurrent claimers skip each other's
// rows (FOR UPDATE SKIP LOCKED); SQLite has one writer.
func (d *DB) ClaimHubspotSyncs(ctx context.Context, lease string, leaseFor time.Duration, limit int) ([]*convrs.HubspotSyncClaim, error) {
	now := d.now()
	lock := ""
	if d.dialect == "postgres" {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	pick, batch := claimSQL(lock)
	var rows []hubspotSyncRow
	err := d.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var ws []string
		if err := tx.Raw(pick, now, now).Scan(&ws).Error; err != nil {
			return err
		}
		if len(ws) == 0 {
			return nil
		}
		var ids []string
		if err := tx.Raw(batch, ws[0], now, now, limit).Scan(&ids).Error; err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		until := now.Add(leaseFor)
		if err := tx.Model(&hubspotSyncRow{}).Where("id IN ?", ids).Updates(map[string]any{
			"status": string(convrs.SyncRunning), "lease_owner": lease, "lease_until": until,
			"attempts": gorm.Expr("attempts + 1"), "updated_at": now}).Error; err != nil {
			return err
		}
		return tx.Where("id IN ?", ids).Order("run_at, id").Find(&rows).Error
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim hubspot syncs: %w", err)
	}
	out := make([]*convrs.HubspotSyncClaim, len(rows))
	for i := range rows {
		out[i] = &convrs.HubspotSyncClaim{Sync: rows[i].domain(), Lease: lease, Parts: splitList(rows[i].NoteIDs), SyncedClose: rows[i].SyncedClose,
			Pending: splitList(rows[i].Pending)}
	}
	return out, nil
}

// NextHubspotSyncDue is when the soonest record not due yet becomes due, across workspaces: a QUEUED or
// WAITING record's run_at, a RUNNING record's lease end; zero when none will.
func (d *DB) NextHubspotSyncDue(ctx context.Context) (time.Time, error) {
	var next time.Time
	var waiting []hubspotSyncRow
	if err := d.db.WithContext(ctx).Select("run_at").Where(inQueue+" AND status IN ?", []string{string(convrs.SyncQueued), string(convrs.SyncWaiting)}).
		Order("run_at").Limit(1).Find(&waiting).Error; err != nil {
		return next, fmt.Errorf("store: next hubspot sync due: %w", err)
	}
	if len(waiting) > 0 {
		next = waiting[0].RunAt
	}
	var running []hubspotSyncRow
	if err := d.db.WithContext(ctx).Select("lease_until").Where(inQueue+" AND status = ? AND lease_until IS NOT NULL", string(convrs.SyncRunning)).
		Order("lease_until").Limit(1).Find(&running).Error; err != nil {
		return next, fmt.Errorf("store: next hubspot sync due: %w", err)
	}
	if len(running) > 0 && (next.IsZero() || running[0].LeaseUntil.Before(next)) {
		next = *running[0].LeaseUntil
	}
	return next, nil
}

// SaveHubspotSyncProgress records progress under the claim's lease (convrs.ErrHubspotSyncLeaseLost if another worker holds it).
func (d *DB) SaveHubspotSyncProgress(ctx context.Context, c *convrs.HubspotSyncClaim, p convrs.HubspotSyncProgress) error {
	errs, err := d.SaveHubspotSyncProgresses(ctx, []*convrs.HubspotSyncClaim{c}, []convrs.HubspotSyncProgress{p})
	if err != nil {
		return err
	}
	return errs[0]
}

// SaveHubspotSyncProgresses records the progress ps[i] of each claim claims[i] in one transaction, each under its
// lease: errs[i] is convrs.ErrHubspotSyncLeaseLost for a claim another worker holds (nothing written for it), nil
// for one recorded. err reports a failed write (nothing recorded).
func (d *DB) SaveHubspotSyncProgresses(ctx context.Context, claims []*convrs.HubspotSyncClaim, ps []convrs.HubspotSyncProgress) (errs []error, err error) {
	now := d.now()
	errs = make([]error, len(claims))
	err = d.inTx(ctx, len(claims), func(tx *gorm.DB) error {
		for i, c := range claims {
			p := ps[i]
			res := tx.Model(&hubspotSyncRow{}).Where("id = ? AND lease_owner = ? AND status = ?", c.Sync.ID, c.Lease, string(convrs.SyncRunning)).
				Updates(map[string]any{"contact_id": p.ContactID, "note_ids": strings.Join(p.Parts, ","), "synced_close": p.SyncedClose,
					"pending": strings.Join(p.Pending, ","), "lease_until": now.Add(p.LeaseFor), "updated_at": now})
			if res.Error != nil {
				return res.Error
			}
			errs[i] = nil
			if res.RowsAffected == 0 {
				errs[i] = convrs.ErrHubspotSyncLeaseLost
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: save hubspot sync progress: %w", err)
	}
	for i, c := range claims {
		if errs[i] == nil {
			p := ps[i]
			c.Sync.ContactID, c.Sync.NoteIDs, c.Parts, c.SyncedClose, c.Pending = p.ContactID, nonEmpty(p.Parts), p.Parts, p.SyncedClose, p.Pending
		}
	}
	return errs, nil
}

// inTx runs fn in a transaction, or directly when it makes only one write (a statement is atomic by itself).
func (d *DB) inTx(ctx context.Context, writes int, fn func(tx *gorm.DB) error) error {
	if writes <= 1 {
		return fn(d.db.WithContext(ctx))
	}
	return d.db.WithContext(ctx).Transaction(fn)
}

// ExtendHubspotSyncLeases keeps the claims a worker still holds for leaseFor from now (a batch waiting on
// HubSpot's rate limits), and reports how many it still held.
func (d *DB) ExtendHubspotSyncLeases(ctx context.Context, lease string, ids []string, leaseFor time.Duration) (int64, error) {
	now := d.now()
	res := d.db.WithContext(ctx).Model(&hubspotSyncRow{}).Where("id IN ? AND lease_owner = ? AND status = ?", ids, lease, string(convrs.SyncRunning)).
		Updates(map[string]any{"lease_until": now.Add(leaseFor)})
	if res.Error != nil {
		return 0, fmt.Errorf("store: extend hubspot sync leases: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// FinishHubspotSync ends the claim with the outcome the worker decided, as told, and returns the record as
// stored: convrs.ErrHubspotSyncLeaseLost when another worker holds the record, convrs.ErrHubspotSyncReclosed
// (nothing written) when the outcome is for another close than the record's.
func (d *DB) FinishHubspotSync(ctx context.Context, c *convrs.HubspotSyncClaim, o convrs.HubspotSyncOutcome) (*convrs.HubspotSync, error) {
	recs, errs, err := d.FinishHubspotSyncs(ctx, []*convrs.HubspotSyncClaim{c}, []convrs.HubspotSyncOutcome{o})
	if err != nil {
		return nil, err
	}
	return recs[0], errs[0]
}

// FinishHubspotSyncs ends each claim claims[i] with the outcome outs[i], as FinishHubspotSync does, all in one
// transaction: recs[i] is the record as stored, or errs[i] says why nothing was written for that claim
// (convrs.ErrHubspotSyncLeaseLost, convrs.ErrHubspotSyncReclosed). err reports a failed write (nothing recorded).
// The records are announced by the caller, after this returns (committed).
func (d *DB) FinishHubspotSyncs(ctx context.Context, claims []*convrs.HubspotSyncClaim, outs []convrs.HubspotSyncOutcome) (
	recs []*convrs.HubspotSync, errs []error, err error) {
	now := d.now()
	ids := make([]string, len(claims))
	for i, c := range claims {
		ids[i] = c.Sync.ID
	}
	recs, errs = make([]*convrs.HubspotSync, len(claims)), make([]error, len(claims))
	err = d.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var held []hubspotSyncRow
		if err := tx.Where("id IN ? AND status = ?", ids, string(convrs.SyncRunning)).Find(&held).Error; err != nil {
			return err
		}
		byID := make(map[string]*hubspotSyncRow, len(held))
		for i := range held {
			byID[held[i].ID] = &held[i]
		}
		var written []string
		for i, c := range claims {
			row, o := byID[c.Sync.ID], outs[i]
			errs[i] = nil
			switch {
			case row == nil || row.LeaseOwner != c.Lease:
				errs[i] = convrs.ErrHubspotSyncLeaseLost
				continue
			case o.ForClose != 0 && row.CloseNumber != o.ForClose:
				errs[i] = convrs.ErrHubspotSyncReclosed
				continue
			}
			// The lease is named again: a claimer that took the record since (its lease lapsed) keeps it.
			res := tx.Model(&hubspotSyncRow{}).Where("id = ? AND lease_owner = ? AND status = ?", row.ID, c.Lease, string(convrs.SyncRunning)).
				Updates(finishColumns(row, o, now))
			if res.Error != nil {
				return res.Error
			} else if res.RowsAffected == 0 {
				errs[i] = convrs.ErrHubspotSyncLeaseLost
				continue
			}
			written = append(written, row.ID)
		}
		if len(written) == 0 {
			return nil
		}
		var rows []hubspotSyncRow
		if err := tx.Where("id IN ?", written).Find(&rows).Error; err != nil {
			return err
		}
		stored := make(map[string]*convrs.HubspotSync, len(rows))
		for i := range rows {
			stored[rows[i].ID] = rows[i].domain()
		}
		for i, c := range claims {
			if errs[i] == nil {
				recs[i] = stored[c.Sync.ID]
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("store: finish hubspot sync: %w", err)
	}
	return recs, errs, nil
}

// finishColumns are the columns an outcome writes on the record row, ending its lease; a failed attempt is added
// to the row's attempt history.
func finishColumns(row *hubspotSyncRow, o convrs.HubspotSyncOutcome, now time.Time) map[string]any {
	runAt := o.RunAt
	if runAt.IsZero() {
		runAt = now
	}
	upd := map[string]any{"status": string(o.Status), "reason_code": o.ReasonCode, "reason": o.Reason, "detail": o.Detail, "matched_by": string(o.MatchedBy),
		"contact_id": o.ContactID, "contact_name": o.ContactName, "contact_url": o.ContactURL, "matched_how": o.MatchedHow, "note_ids": strings.Join(o.Parts, ","),
		"synced_close": o.SyncedClose, "pending": strings.Join(o.Pending, ","), "warnings": encodeList(o.Warnings),
		"run_at": runAt.UTC().Truncate(time.Microsecond), "attempts": o.Attempts, "lease_owner": "", "lease_until": nil, "updated_at": now}
	if o.AttemptError != nil {
		var hist []convrs.HubspotSyncAttemptError
		if row.AttemptErrors != "" {
			_ = json.Unmarshal([]byte(row.AttemptErrors), &hist)
		}
		hist = append(hist, *o.AttemptError)
		if n := len(hist) - convrs.MaxHubspotSyncAttemptErrors; n > 0 {
			hist = hist[n:]
		}
		b, _ := json.Marshal(hist)
		upd["attempt_errors"] = string(b)
	}
	return upd
}

// HubspotSyncOf returns a conversation's record without a principal (workers, publishing).
func (d *DB) HubspotSyncOf(ctx context.Context, workspaceID, conversationID string) (*convrs.HubspotSync, error) {
	var row hubspotSyncRow
	if err := d.db.WithContext(ctx).Where("workspace_id = ? AND conversation_id = ?", workspaceID, conversationID).Take(&row).Error; err != nil {
		return nil, notFound(err, "Sync record")
	}
	return row.domain(), nil
}

// HubspotSync returns the record of a conversation of the caller's workspace (ENOTFOUND when it has none).
func (d *DB) HubspotSync(ctx context.Context, conversationID string) (*convrs.HubspotSync, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	return d.HubspotSyncOf(ctx, p.WorkspaceID, conversationID)
}

// HubspotSyncsByConversation returns the records of those of the conversations that have one.
func (d *DB) HubspotSyncsByConversation(ctx context.Context, conversationIDs []string) (map[string]*convrs.HubspotSync, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	var rows []hubspotSyncRow
	if err := among(d.db.WithContext(ctx), "conversation_id", p.WorkspaceID, conversationIDs).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: hubspot syncs: %w", err)
	}
	out := make(map[string]*convrs.HubspotSync, len(rows))
	for i := range rows {
		out[rows[i].ConversationID] = rows[i].domain()
	}
	return out, nil
}

// ListHubspotSyncs returns a page of the caller's workspace's records, most recently closed first.
func (d *DB) ListHubspotSyncs(ctx context.Context, f convrs.HubspotSyncFilter) (*convrs.HubspotSyncPage, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	first := f.First
	if first <= 0 || first > 100 {
		first = 20
	}
	q := d.db.WithContext(ctx).Where("workspace_id = ?", p.WorkspaceID)
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	if f.After != "" {
		at, id, ok := decodeSyncCursor(f.After)
		if !ok {
			return nil, convrs.Invalidf("after", "The page cursor is not valid.")
		}
		q = q.Where("(closed_at < ? OR (closed_at = ? AND id < ?))", at, at, id)
	}
	var rows []hubspotSyncRow
	if err := q.Order("closed_at DESC, id DESC").Limit(first + 1).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list hubspot syncs: %w", err)
	}
	page := &convrs.HubspotSyncPage{HasNextPage: len(rows) > first}
	if page.HasNextPage {
		rows = rows[:first]
	}
	for i := range rows {
		page.Nodes = append(page.Nodes, rows[i].domain())
	}
	if n := len(rows); n > 0 {
		page.EndCursor = encodeSyncCursor(rows[n-1].ClosedAt, rows[n-1].ID)
	}
	return page, nil
}

func encodeSyncCursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at.UnixMicro(), 10) + "|" + id))
}

func decodeSyncCursor(s string) (time.Time, string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return time.Time{}, "", false
	}
	us, id, ok := strings.Cut(string(b), "|")
	n, err := strconv.ParseInt(us, 10, 64)
	if !ok || err != nil || id == "" {
		return time.Time{}, "", false
	}
	return time.UnixMicro(n).UTC(), id, true
}

// HubspotSyncSummary counts the caller's workspace's records by status.
func (d *DB) HubspotSyncSummary(ctx context.Context) (*convrs.HubspotSyncSummary, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	var counts []struct {
		Status string
		N      int
	}
	if err := d.db.WithContext(ctx).Model(&hubspotSyncRow{}).Select("status, COUNT(*) AS n").Where("workspace_id = ?", p.WorkspaceID).
		Group("status").Scan(&counts).Error; err != nil {
		return nil, fmt.Errorf("store: hubspot sync summary: %w", err)
	}
	s := &convrs.HubspotSyncSummary{}
	for _, c := range counts {
		switch convrs.HubspotSyncStatus(c.Status) {
		case convrs.SyncQueued:
			s.Queued = c.N
		case convrs.SyncRunning:
			s.Running = c.N
		case convrs.SyncSynced:
			s.Synced = c.N
		case convrs.SyncSkipped:
			s.Skipped = c.N
		case convrs.SyncWaiting:
			s.Waiting = c.N
		case convrs.SyncFailed:
			s.Failed = c.N
		case convrs.SyncCancelled:
			s.Cancelled = c.N
		}
		s.Total += c.N
	}
	if s.Waiting > 0 {
		var next []hubspotSyncRow
		if err := d.db.WithContext(ctx).Select("run_at").Where("workspace_id = ? AND status = ?", p.WorkspaceID, string(convrs.SyncWaiting)).
			Order("run_at").Limit(1).Find(&next).Error; err != nil {
			return nil, fmt.Errorf("store: hubspot sync summary: %w", err)
		}
		if len(next) == 1 {
			t := next[0].RunAt
			s.NextAttemptAt = &t
		}
	}
	return s, nil
}

// RetryHubspotSync queues a FAILED, SKIPPED or CANCELLED record again (ECONFLICT otherwise, or when syncing is
// not enabled).
func (d *DB) RetryHubspotSync(ctx context.Context, conversationID string) (*convrs.HubspotSync, error) {
	p, err := convrs.RequireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	var out hubspotSyncRow
	err = d.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row hubspotSyncRow
		if err := tx.Where("workspace_id = ? AND conversation_id = ?", p.WorkspaceID, conversationID).Take(&row).Error; err != nil {
			return notFound(err, "Sync record")
		}
		if err := d.requireEnabled(tx, p.WorkspaceID); err != nil {
			return err
		}
		switch convrs.HubspotSyncStatus(row.Status) {
		case convrs.SyncFailed, convrs.SyncSkipped, convrs.SyncCancelled:
		default:
			return convrs.Errorf(convrs.ECONFLICT, "Only failed, skipped or cancelled syncs can be retried (this one is %s).", strings.ToLower(row.Status))
		}
		now := d.now()
		if err := tx.Model(&hubspotSyncRow{}).Where("id = ?", row.ID).Updates(map[string]any{"status": string(convrs.SyncQueued),
			"reason_code": "", "reason": "", "detail": "", "attempts": 0, "run_at": now, "updated_at": now}).Error; err != nil {
			return err
		}
		if err := d.syncQueued(tx); err != nil {
			return err
		}
		return tx.Where("id = ?", row.ID).Take(&out).Error
	})
	if err != nil {
		if convrs.ErrorCode(err) == convrs.EINTERNAL {
			err = fmt.Errorf("store: retry hubspot sync: %w", err)
		}
		return nil, err
	}
	return out.domain(), nil
}

func (d *DB) requireEnabled(tx *gorm.DB, workspaceID string) error {
	var state string
	if err := tx.Model(&integrationRow{}).Select("state").Where("workspace_id = ?", workspaceID).Scan(&state).Error; err != nil {
		return err
	}
	if state != string(convrs.IntegrationEnabled) && state != string(convrs.IntegrationError) {
		return convrs.Errorf(convrs.ECONFLICT, "Syncing to HubSpot is not enabled.")
	}
	return nil
}

// BackfillHubspotSyncs counts (dryRun) or queues the caller's workspace's conversations closed since `since`
// that have no sync record. Admin only; ECONFLICT when syncing is not enabled.
func (d *DB) BackfillHubspotSyncs(ctx context.Context, since time.Time, dryRun bool) ([]*convrs.HubspotSync, int, error) {
	p, err := convrs.RequireAdmin(ctx)
	if err != nil {
		return nil, 0, err
	}
	var out []*convrs.HubspotSync
	n := 0
	err = d.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := d.requireEnabled(tx, p.WorkspaceID); err != nil {
			return err
		}
		var convs []conversationRow
		if err := tx.Where("workspace_id = ? AND status = ? AND closed_at >= ? AND id NOT IN (SELECT conversation_id FROM hubspot_syncs WHERE workspace_id = ?)",
			p.WorkspaceID, string(convrs.ConversationClosed), since.UTC(), p.WorkspaceID).Order("closed_at, id").Find(&convs).Error; err != nil {
			return err
		}
		n = len(convs)
		if dryRun {
			return nil
		}
		for i := range convs {
			row, err := d.enqueueHubspotSync(tx, &convs[i], *convs[i].ClosedAt)
			if err != nil {
				return err
			}
			out = append(out, row.domain())
		}
		return nil
	})
	if err != nil {
		if convrs.ErrorCode(err) == convrs.EINTERNAL {
			err = fmt.Errorf("store: backfill hubspot syncs: %w", err)
		}
		return nil, 0, err
	}
	return out, n, nil
}

// publishSync announces a record change on the workspace's sync topic, best effort (the database is the record).
func (d *DB) publishSync(ctx context.Context, s *convrs.HubspotSync) {
	if d.Events == nil || s == nil {
		return
	}
	if b, err := json.Marshal(s); err == nil {
		_ = d.Events.Publish(context.WithoutCancel(ctx), convrs.TopicHubspotSyncs(s.WorkspaceID), b)
	}
}

// PublishHubspotSync announces a record change (the sync worker's outcomes).
func (d *DB) PublishHubspotSync(ctx context.Context, s *convrs.HubspotSync) { d.publishSync(ctx, s) }

// sqliteLocks serialises LockKey's holders of one key within the process: a SQLite database has one process.
var sqliteLocks sync.Map // key → chan struct{} (a one-slot semaphore)

// LockKey holds key until unlock, through the database (convrs.Locker): the transcript sync's per-customer
// serialisation when the shared cache (Redis) is down. On PostgreSQL it is a session-level advisory lock on a
// connection of its own, released by unlock or, should the process die, by the connection closing, so ttl is not
// needed; on SQLite (one process) a lock in the process. It waits, polling, until it holds key or ctx ends.
func (d *DB) LockKey(ctx context.Context, key string, ttl time.Duration) (unlock func(), err error) {
	if d.dialect != "postgres" {
		v, _ := sqliteLocks.LoadOrStore(key, make(chan struct{}, 1))
		sem := v.(chan struct{})
		select {
		case sem <- struct{}{}:
			var once sync.Once
			return func() { once.Do(func() { <-sem }) }, nil
		case <-ctx.Done():
			return nil, fmt.Errorf("store: lock %s: %w", key, ctx.Err())
		}
	}
	sqlDB, err := d.db.DB()
	if err != nil {
		return nil, fmt.Errorf("store: lock: %w", err)
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: lock: %w", err)
	}
	for wait := 10 * time.Millisecond; ; wait = min(wait*2, 500*time.Millisecond) {
		var ok bool
		if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(hashtextextended($1, 0))`, "convrs:"+key).Scan(&ok); err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("store: lock: %w", err)
		}
		if ok {
			break
		}
		select {
		case <-ctx.Done():
			_ = conn.Close()
			return nil, fmt.Errorf("store: lock %s: %w", key, ctx.Err())
		case <-time.After(wait):
		}
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			uctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if _, err := conn.ExecContext(uctx, `SELECT pg_advisory_unlock(hashtextextended($1, 0))`, "convrs:"+key); err != nil {
				// The session still holds the lock: the connection must not go back to the pool.
				_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			}
			_ = conn.Close()
		})
	}, nil
}

// HubspotContactAnchors lists the first notes of the customer's records written before any contact existed
// (note IDs recorded, no contact ID): the transcript sync creates a contact of a customer without an email
// associated with such a note, so the note's associations name the contact whatever became of the create's answer.
func (d *DB) HubspotContactAnchors(ctx context.Context, workspaceID, customerID string) ([]string, error) {
	var lists []string
	if err := d.db.WithContext(ctx).Model(&hubspotSyncRow{}).Where("workspace_id = ? AND customer_id = ? AND contact_id = '' AND note_ids <> ''",
		workspaceID, customerID).Order("created_at, id").Pluck("note_ids", &lists).Error; err != nil {
		return nil, fmt.Errorf("store: hubspot contact anchors: %w", err)
	}
	var out []string
	for _, l := range lists {
		if first, _, _ := strings.Cut(l, ","); first != "" {
			out = append(out, first)
		}
	}
	return out, nil
}

// ForgetHubspotContactInSyncs removes the name, URL and provenance of contacts of portalID (erased in HubSpot
// by a privacy deletion) from the principal's workspace's sync records; the contact ID stays, as the record of
// where the notes went. It returns how many records changed.
func (d *DB) ForgetHubspotContactInSyncs(ctx context.Context, contactIDs []string) (int64, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return 0, err
	}
	if len(contactIDs) == 0 {
		return 0, nil
	}
	res := d.db.WithContext(ctx).Model(&hubspotSyncRow{}).Where("workspace_id = ? AND contact_id IN ?", p.WorkspaceID, contactIDs).
		Updates(map[string]any{"contact_name": "", "contact_url": "", "matched_how": "", "updated_at": d.now()})
	if res.Error != nil {
		return 0, fmt.Errorf("store: forget hubspot contact in syncs: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// HubspotSyncQueueStats is the transcript sync's queue across workspaces, for the operator's metrics.
type HubspotSyncQueueStats struct {
	// ByStatus counts the records by status.
	ByStatus map[convrs.HubspotSyncStatus]int
	// OldestDue is when the longest-waiting due record became due (QUEUED/WAITING past run_at, or RUNNING with
	// a lapsed lease); zero when none is due.
	OldestDue time.Time
}

// HubspotSyncQueueStats reads the queue's depth by status and its oldest due record (no principal: operators).
func (d *DB) HubspotSyncQueueStats(ctx context.Context) (*HubspotSyncQueueStats, error) {
	now := d.now()
	var counts []struct {
		Status string
		N      int
	}
	if err := d.db.WithContext(ctx).Model(&hubspotSyncRow{}).Select("status, COUNT(*) AS n").Group("status").Scan(&counts).Error; err != nil {
		return nil, fmt.Errorf("store: hubspot sync queue stats: %w", err)
	}
	out := &HubspotSyncQueueStats{ByStatus: map[convrs.HubspotSyncStatus]int{}}
	for _, c := range counts {
		out.ByStatus[convrs.HubspotSyncStatus(c.Status)] = c.N
	}
	var due []hubspotSyncRow
	if err := d.db.WithContext(ctx).Select("run_at").Where(inQueue+" AND status IN ? AND run_at <= ?", []string{string(convrs.SyncQueued), string(convrs.SyncWaiting)}, now).
		Order("run_at").Limit(1).Find(&due).Error; err != nil {
		return nil, fmt.Errorf("store: hubspot sync queue stats: %w", err)
	}
	if len(due) > 0 {
		out.OldestDue = due[0].RunAt
	}
	var lapsed []hubspotSyncRow
	if err := d.db.WithContext(ctx).Select("lease_until").Where(inQueue+" AND status = ? AND lease_until < ?", string(convrs.SyncRunning), now).
		Order("lease_until").Limit(1).Find(&lapsed).Error; err != nil {
		return nil, fmt.Errorf("store: hubspot sync queue stats: %w", err)
	}
	if len(lapsed) > 0 && lapsed[0].LeaseUntil != nil && (out.OldestDue.IsZero() || lapsed[0].LeaseUntil.Before(out.OldestDue)) {
		out.OldestDue = *lapsed[0].LeaseUntil
	}
	return out, nil
}
