package hubsync

import (
	"context"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/store"
)

// MatchLocker is the per-customer lock the matcher takes around find-or-create (match.Config.Locker): held in
// the database every gateway process shares (a PostgreSQL advisory lock on a connection of its own; on SQLite,
// one process, a lock in the process), so matching stays serialised per customer whether or not Redis is up,
// and a process that dies releases it with its connection.
func MatchLocker(db *store.DB) convrs.Locker { return dbLocker{db} }

type dbLocker struct{ db *store.DB }

func (l dbLocker) Lock(ctx context.Context, key string, ttl time.Duration) (func(), error) {
	return l.db.LockKey(ctx, key, ttl)
}
