package store

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// migrations are applied in order, each once, each in its own transaction, and recorded in schema_migrations.
// Never edit a released migration: add a new one. {{TS}} is the timestamp type of the engine.
var migrations = []string{
	// 1: the Convrs host.
	`CREATE TABLE workspaces (
		id TEXT PRIMARY KEY,
		name TEXT NOT NULL,
		default_region TEXT NOT NULL,
		time_zone TEXT NOT NULL,
		created_at {{TS}} NOT NULL,
		updated_at {{TS}} NOT NULL
	);
	CREATE TABLE staff (
		id TEXT PRIMARY KEY,
		workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
		name TEXT NOT NULL,
		email TEXT NOT NULL,
		role TEXT NOT NULL,
		created_at {{TS}} NOT NULL,
		UNIQUE (workspace_id, email)
	);
	CREATE TABLE customers (
		id TEXT PRIMARY KEY,
		workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
		email TEXT NOT NULL DEFAULT '',
		phone TEXT NOT NULL DEFAULT '',
		phone_raw TEXT NOT NULL DEFAULT '',
		first_name TEXT NOT NULL DEFAULT '',
		last_name TEXT NOT NULL DEFAULT '',
		hubspot_contact_id TEXT NOT NULL DEFAULT '',
		hubspot_portal_id BIGINT NOT NULL DEFAULT 0,
		created_at {{TS}} NOT NULL,
		updated_at {{TS}} NOT NULL
	);
	CREATE INDEX customers_workspace_email ON customers (workspace_id, email);
	CREATE INDEX customers_workspace_phone ON customers (workspace_id, phone);
	CREATE TABLE conversations (
		id TEXT PRIMARY KEY,
		workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
		customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
		channel TEXT NOT NULL,
		subject TEXT NOT NULL DEFAULT '',
		status TEXT NOT NULL,
		assigned_staff_id TEXT NOT NULL DEFAULT '',
		opened_at {{TS}} NOT NULL,
		closed_at {{TS}},
		last_message_at {{TS}} NOT NULL,
		updated_at {{TS}} NOT NULL
	);
	CREATE INDEX conversations_inbox ON conversations (workspace_id, status, last_message_at);
	CREATE INDEX conversations_customer ON conversations (workspace_id, customer_id);
	CREATE TABLE messages (
		id TEXT PRIMARY KEY,
		workspace_id TEXT NOT NULL,
		conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
		author_kind TEXT NOT NULL,
		author_name TEXT NOT NULL,
		author_staff_id TEXT NOT NULL DEFAULT '',
		text TEXT NOT NULL,
		created_at {{TS}} NOT NULL
	);
	CREATE INDEX messages_conversation ON messages (conversation_id, created_at);`,

	// 2: hooks and the durable jobs events create for them (the transcript sync's outbox).
	`CREATE TABLE hooks (
		workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
		event TEXT NOT NULL,
		target TEXT NOT NULL,
		created_at {{TS}} NOT NULL,
		PRIMARY KEY (workspace_id, event, target)
	);
	CREATE TABLE jobs (
		id TEXT PRIMARY KEY,
		workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
		kind TEXT NOT NULL,
		subject_id TEXT NOT NULL,
		event_at {{TS}} NOT NULL,
		status TEXT NOT NULL,
		attempts INTEGER NOT NULL DEFAULT 0,
		run_at {{TS}} NOT NULL,
		last_error TEXT NOT NULL DEFAULT '',
		result TEXT NOT NULL DEFAULT '',
		created_at {{TS}} NOT NULL,
		updated_at {{TS}} NOT NULL,
		UNIQUE (kind, subject_id, event_at)
	);
	CREATE INDEX jobs_due ON jobs (status, run_at);`,

	// 3: the HubSpot integration of a workspace. Tokens are AES-GCM ciphertexts (see package secret).
	`CREATE TABLE hubspot_integrations (
		workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
		state TEXT NOT NULL,
		portal_id BIGINT NOT NULL DEFAULT 0,
		ui_domain TEXT NOT NULL DEFAULT '',
		hub_user_email TEXT NOT NULL DEFAULT '',
		scopes TEXT NOT NULL DEFAULT '',
		connected_at {{TS}},
		enabled_at {{TS}},
		connected_by TEXT NOT NULL DEFAULT '',
		error_reason TEXT NOT NULL DEFAULT '',
		allow_outbound_search BOOLEAN NOT NULL DEFAULT FALSE,
		require_outbound_match BOOLEAN NOT NULL DEFAULT FALSE,
		access_token_enc TEXT NOT NULL DEFAULT '',
		refresh_token_enc TEXT NOT NULL DEFAULT '',
		token_expires_at {{TS}},
		updated_at {{TS}} NOT NULL
	);`,

	// 4: transcript sync records: one per closed conversation, the admin's view and the sync's own queue
	// (status + run_at + lease). close_number counts closes; synced_close is the close whose notes note_ids are.
	`CREATE TABLE hubspot_syncs (
		id TEXT PRIMARY KEY,
		workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
		conversation_id TEXT NOT NULL UNIQUE REFERENCES conversations(id) ON DELETE CASCADE,
		customer_id TEXT NOT NULL,
		closed_at {{TS}} NOT NULL,
		close_number INTEGER NOT NULL DEFAULT 1,
		synced_close INTEGER NOT NULL DEFAULT 0,
		status TEXT NOT NULL,
		reason_code TEXT NOT NULL DEFAULT '',
		reason TEXT NOT NULL DEFAULT '',
		matched_by TEXT NOT NULL DEFAULT '',
		contact_id TEXT NOT NULL DEFAULT '',
		contact_name TEXT NOT NULL DEFAULT '',
		contact_url TEXT NOT NULL DEFAULT '',
		note_ids TEXT NOT NULL DEFAULT '',
		pending TEXT NOT NULL DEFAULT '',
		warnings TEXT NOT NULL DEFAULT '',
		attempts INTEGER NOT NULL DEFAULT 0,
		run_at {{TS}} NOT NULL,
		lease_owner TEXT NOT NULL DEFAULT '',
		lease_until {{TS}},
		created_at {{TS}} NOT NULL,
		updated_at {{TS}} NOT NULL
	);
	CREATE INDEX hubspot_syncs_due ON hubspot_syncs (status, run_at);
	CREATE INDEX hubspot_syncs_list ON hubspot_syncs (workspace_id, closed_at, id);`,

	// 5: the jobs of migration 2 were never run (hubspot_syncs is the transcript sync's queue); closes stopped
	// writing them. Dropping the table drops its index on both engines.
	`DROP TABLE IF EXISTS jobs;`,

	// 6: where a HubSpot link came from (the rule and value matched, or who chose the contact and when), the
	// contacts agents unlinked as "not this person" ("portal:contact" separated by spaces), the contact an
	// agent picked for a conversation, and the sync record's provenance in words.
	`ALTER TABLE customers ADD COLUMN hubspot_link_rule TEXT NOT NULL DEFAULT '';
	ALTER TABLE customers ADD COLUMN hubspot_link_value TEXT NOT NULL DEFAULT '';
	ALTER TABLE customers ADD COLUMN hubspot_link_staff_id TEXT NOT NULL DEFAULT '';
	ALTER TABLE customers ADD COLUMN hubspot_link_staff_name TEXT NOT NULL DEFAULT '';
	ALTER TABLE customers ADD COLUMN hubspot_linked_at {{TS}};
	ALTER TABLE customers ADD COLUMN hubspot_not_this_person TEXT NOT NULL DEFAULT '';
	ALTER TABLE conversations ADD COLUMN hubspot_contact_id TEXT NOT NULL DEFAULT '';
	ALTER TABLE conversations ADD COLUMN hubspot_portal_id BIGINT NOT NULL DEFAULT 0;
	ALTER TABLE conversations ADD COLUMN hubspot_picked_by_id TEXT NOT NULL DEFAULT '';
	ALTER TABLE conversations ADD COLUMN hubspot_picked_by_name TEXT NOT NULL DEFAULT '';
	ALTER TABLE hubspot_syncs ADD COLUMN matched_how TEXT NOT NULL DEFAULT '';`,

	// 7: HubSpot's own answer to a sync's last failure (status, category, message, correlation ID), shown to
	// admins behind Details while the reason says what happened in words.
	`ALTER TABLE hubspot_syncs ADD COLUMN detail TEXT NOT NULL DEFAULT '';`,

	// 8: every failed attempt of a transcript sync, kept on its record (JSON, the latest 20).
	`ALTER TABLE hubspot_syncs ADD COLUMN attempt_errors TEXT NOT NULL DEFAULT '';`,

	// 9: the hooks of migration 2 only repeated the integration's "enabled" (one hook, registered by Enable,
	// removed by a disable or a reconnect to another portal, exactly when enabled_at is set and cleared): a
	// close now queues its sync when the workspace's integration has enabled_at set.
	`DROP TABLE IF EXISTS hooks;`,

	// 10: the queue's queries (the claim, the next due time) walk only the records that are or may become due
	// (QUEUED, WAITING, RUNNING), in due order, across workspaces and within one: the finished records, most of
	// the table as it grows, are not in these indexes at all. The queries repeat the indexes' condition word for
	// word (store's inQueue), so both engines use them. They replace the index on (status, run_at), which
	// SQLite preferred for the claim and then sorted every queued record to take the first.
	`DROP INDEX hubspot_syncs_due;
	CREATE INDEX hubspot_syncs_queue ON hubspot_syncs (run_at) WHERE status IN ('QUEUED','WAITING','RUNNING');
	CREATE INDEX hubspot_syncs_queue_workspace ON hubspot_syncs (workspace_id, run_at, id) WHERE status IN ('QUEUED','WAITING','RUNNING');`,
}

func (d *DB) migrate(ctx context.Context) error {
	// One pinned connection for the lock, the migrations and the unlock: a session-level advisory lock taken on
	// one pooled connection and released on another would not be released at all.
	return d.db.WithContext(ctx).Connection(func(conn *gorm.DB) error {
		ts := "DATETIME"
		if d.dialect == "postgres" {
			ts = "TIMESTAMPTZ"
			// Two processes starting together must not both apply a migration, nor both create the table
			// that records them.
			if err := conn.Exec(`SELECT pg_advisory_lock(4711)`).Error; err != nil {
				return fmt.Errorf("store: migrate: lock: %w", err)
			}
			defer conn.Exec(`SELECT pg_advisory_unlock(4711)`)
		}
		if err := conn.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)`).Error; err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		for i, m := range migrations {
			if err := applyMigration(conn, i+1, strings.ReplaceAll(m, "{{TS}}", ts)); err != nil {
				return fmt.Errorf("store: migrate to version %d: %w", i+1, err)
			}
		}
		return nil
	})
}

// applyMigration runs one migration's statements and records its version in one transaction, unless the version
// is already recorded.
func applyMigration(conn *gorm.DB, version int, sql string) error {
	return conn.Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Raw(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		for _, stmt := range strings.Split(sql, ";") {
			if strings.TrimSpace(stmt) == "" {
				continue
			}
			if err := tx.Exec(stmt).Error; err != nil {
				return err
			}
		}
		return tx.Exec(`INSERT INTO schema_migrations (version) VALUES (?)`, version).Error
	})
}

// SchemaVersion returns the highest applied migration.
func (d *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := d.db.WithContext(ctx).Raw(`SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v).Error
	return v, err
}
