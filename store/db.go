// Package store keeps the Convrs host and the HubSpot integration in a SQL database through gorm: SQLite (a
// pure-Go file database, the embedded default) or PostgreSQL. It implements the convrs service interfaces and
// scopes every read and write to the workspace of the context's principal.
package store

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	neturl "net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/convrs/gateway/convrs"
)

// DB is an open database with its migrations applied.
type DB struct {
	db      *gorm.DB
	dialect string // "sqlite" or "postgres"
	// Now is the clock; tests replace it.
	Now func() time.Time
	// Events receives conversation events after the transaction that caused them commits. Optional.
	Events convrs.PubSub

	// pgURL is the PostgreSQL address (the sync listener's own connection); wakers the SQLite sync subscribers.
	pgURL  string
	wakers wakers
}

// DefaultMaxConns is the PostgreSQL pool's size per gateway process unless the URL says otherwise
// (max_conns=N): about the requests one process serves at once, with room for the sync worker.
const DefaultMaxConns = 40

// poolSize reads and removes the max_conns parameter of a PostgreSQL URL (PostgreSQL would refuse it).
func poolSize(raw string) (string, int, error) {
	u, err := neturl.Parse(raw)
	if err != nil {
		return "", 0, errors.New("invalid URL")
	}
	q := u.Query()
	v := q.Get("max_conns")
	if v == "" {
		return raw, DefaultMaxConns, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return "", 0, fmt.Errorf("max_conns=%q is not a positive number", v)
	}
	q.Del("max_conns")
	u.RawQuery = q.Encode()
	return u.String(), n, nil
}

// Open connects to url — "postgres://…" / "postgresql://…" for PostgreSQL, "sqlite://PATH" or a plain file path
// for SQLite — and applies pending migrations.
func Open(ctx context.Context, url string) (*DB, error) {
	var (
		dialector gorm.Dialector
		dialect   string
		maxConns  = DefaultMaxConns
	)
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		var err error
		if url, maxConns, err = poolSize(url); err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		dialector, dialect = postgres.Open(url), "postgres"
	default:
		path := strings.TrimPrefix(url, "sqlite://")
		if path == "" {
			return nil, errors.New("store: open: empty sqlite path")
		}
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("store: open: %w", err)
			}
		}
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		dsn := path + sep + "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
		dialector, dialect = sqlite.Open(dsn), "sqlite"
		pinSQLiteAllocator()
	}
	gdb, err := gorm.Open(dialector, &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	})
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dialect, err)
	}
	sqlDB, err := gdb.DB()
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	if dialect == "sqlite" {
		// SQLite has one writer; one connection makes writers queue in Go instead of failing with SQLITE_BUSY
		// when two deferred transactions both try to upgrade to a write lock.
		sqlDB.SetMaxOpenConns(1)
	} else {
		// Every connection opened stays idle for the next request: an idle cap below the open cap makes a busy
		// gateway close and reopen connections many times a second (each a PostgreSQL backend start).
		sqlDB.SetMaxOpenConns(maxConns)
		sqlDB.SetMaxIdleConns(maxConns)
		sqlDB.SetConnMaxIdleTime(10 * time.Minute)
		sqlDB.SetConnMaxLifetime(30 * time.Minute)
	}
	d := &DB{db: gdb, dialect: dialect, Now: time.Now}
	if dialect == "postgres" {
		d.pgURL = url
	}
	if err := d.Ping(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, err
	}
	if err := d.migrate(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, err
	}
	return d, nil
}

// Dialect returns "sqlite" or "postgres".
func (d *DB) Dialect() string { return d.dialect }

// Ping checks that the database answers (readiness).
func (d *DB) Ping(ctx context.Context) error {
	sqlDB, err := d.db.DB()
	if err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Close closes the database.
func (d *DB) Close() error {
	sqlDB, err := d.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// now returns the store's clock in UTC at the precision both engines keep (microseconds).
func (d *DB) now() time.Time { return d.Now().UTC().Truncate(time.Microsecond) }

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newID returns a random, unguessable ID such as "cus_k3j…" (20 characters of randomness: 100 bits).
func newID(prefix string) string {
	b := make([]byte, 13)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return prefix + "_" + idEncoding.EncodeToString(b)[:20]
}

// publish sends a conversation event to the workspace's topic, best effort: the database is the record, and a
// subscriber that misses an event sees the change on its next read.
func (d *DB) publish(ctx context.Context, ev convrs.ConversationEvent) {
	if d.Events == nil {
		return
	}
	b, err := marshalEvent(ev)
	if err == nil {
		_ = d.Events.Publish(context.WithoutCancel(ctx), convrs.TopicConversations(ev.WorkspaceID), b)
	}
}

// notFound turns gorm's not-found into ENOTFOUND with a message naming the thing.
func notFound(err error, what string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return convrs.Errorf(convrs.ENOTFOUND, "%s not found.", what)
	}
	return err
}
