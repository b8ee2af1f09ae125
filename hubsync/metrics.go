package hubsync

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/store"
)

// Metrics are the transcript sync's queue metrics for /metrics: depth by status and the age of the oldest due
// record (read from the database at each scrape, so every process reports the shared queue), and this
// process's outcomes, attempts and time from close to note. Register it, and pass it as Config.Metrics.
type Metrics struct {
	db *store.DB

	depth     *prometheus.Desc
	oldestDue *prometheus.Desc
	outcomes  *prometheus.CounterVec
	attempts  prometheus.Histogram
	toNote    prometheus.Histogram
}

// NewMetrics returns the sync's metrics over db's queue.
func NewMetrics(db *store.DB) *Metrics {
	return &Metrics{db: db,
		depth: prometheus.NewDesc("convrs_hubspot_sync_queue_depth", "Transcript sync records by status (all workspaces).", []string{"status"}, nil),
		oldestDue: prometheus.NewDesc("convrs_hubspot_sync_oldest_due_seconds",
			"How long the longest-waiting due transcript sync has been due (0 when none is).", nil, nil),
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "convrs_hubspot_sync_outcomes_total",
			Help: "Transcript sync attempts ended by this process, by the record's status after it."}, []string{"status"}),
		attempts: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "convrs_hubspot_sync_attempts",
			Help: "Attempts a transcript sync took to be SYNCED.", Buckets: []float64{1, 2, 3, 4, 6, 8, 12, 20}}),
		toNote: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "convrs_hubspot_sync_close_to_note_seconds",
			Help:    "Seconds from a conversation's close to its notes being in HubSpot (SYNCED).",
			Buckets: []float64{1, 2, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600}}),
	}
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- m.depth
	ch <- m.oldestDue
	m.outcomes.Describe(ch)
	m.attempts.Describe(ch)
	m.toNote.Describe(ch)
}

// Collect implements prometheus.Collector: one database read per scrape.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	m.outcomes.Collect(ch)
	m.attempts.Collect(ch)
	m.toNote.Collect(ch)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := m.db.HubspotSyncQueueStats(ctx)
	if err != nil {
		return // the scrape shows the metrics missing rather than wrong
	}
	for _, s := range []convrs.HubspotSyncStatus{convrs.SyncQueued, convrs.SyncRunning, convrs.SyncWaiting, convrs.SyncSynced,
		convrs.SyncSkipped, convrs.SyncFailed, convrs.SyncCancelled} {
		ch <- prometheus.MustNewConstMetric(m.depth, prometheus.GaugeValue, float64(st.ByStatus[s]), string(s))
	}
	age := 0.0
	if !st.OldestDue.IsZero() {
		age = max(m.db.Now().Sub(st.OldestDue).Seconds(), 0)
	}
	ch <- prometheus.MustNewConstMetric(m.oldestDue, prometheus.GaugeValue, age)
}

// observe records one finished attempt.
func (m *Metrics) observe(s *convrs.HubspotSync, now time.Time) {
	if m == nil || s == nil {
		return
	}
	m.outcomes.WithLabelValues(string(s.Status)).Inc()
	if s.Status == convrs.SyncSynced {
		m.attempts.Observe(float64(s.Attempts))
		m.toNote.Observe(max(now.Sub(s.ClosedAt).Seconds(), 0))
	}
}
