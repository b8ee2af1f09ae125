package store_test

import (
	"testing"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/internal/hubtest"
	"github.com/convrs/gateway/store/storetest"
)

// BenchmarkFindCustomer is a warm card's one database read, on each engine.
func BenchmarkFindCustomer(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			db := storetest.OpenDB(b, engine)
			_, agent := hubtest.Workspace(b, db, convrs.Workspace{ID: "ws_bench", Name: "Bench", DefaultRegion: "GB", TimeZone: "Europe/London"})
			first, email := "Bob", "bob@example.com"
			c, err := db.CreateCustomer(agent, convrs.CustomerInput{FirstName: &first, Email: &email})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := db.FindCustomer(agent, c.ID); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
