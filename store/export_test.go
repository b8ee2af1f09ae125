package store

// LatestSchemaVersion is the version a migrated database has (for the tests of the store's callers).
func LatestSchemaVersion() int { return len(migrations) }
