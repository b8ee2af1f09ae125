package hubsync

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/convrs/gateway/hubspot/hubspotsim"
	"github.com/convrs/gateway/store/storetest"
)

// The queue's depth by status and the age of its oldest due record are in /metrics, with the outcomes, the
// attempts and the time from close to note of what this process synced.
func TestQueueMetrics(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, envOpts{sim: hubspotsim.Options{}})
		m := NewMetrics(e.db)
		e.worker.cfg.Metrics = m
		reg := prometheus.NewPedanticRegistry()
		reg.MustRegister(m)
		e.sim.SeedContact(portal, map[string]string{"email": "m@example.com"}, time.Time{})
		cust := e.customer("m@example.com", "", "", "")
		e.closed(cust)
		e.closed(cust)
		e.clock.Advance(90 * time.Second)
		if v := gauge(t, reg, "convrs_hubspot_sync_oldest_due_seconds"); v < 90 || v > 100 {
			t.Errorf("oldest due = %v s, want about 90 (the running clock moves on a little)", v)
		}
		if v := gaugeWith(t, reg, "convrs_hubspot_sync_queue_depth", "QUEUED"); v != 2 {
			t.Errorf("QUEUED depth = %v, want 2", v)
		}
		e.drain()
		if v := gaugeWith(t, reg, "convrs_hubspot_sync_queue_depth", "SYNCED"); v != 2 {
			t.Errorf("SYNCED depth = %v, want 2", v)
		}
		if v := gaugeWith(t, reg, "convrs_hubspot_sync_queue_depth", "QUEUED"); v != 0 {
			t.Errorf("QUEUED depth = %v, want 0", v)
		}
		if v := gauge(t, reg, "convrs_hubspot_sync_oldest_due_seconds"); v != 0 {
			t.Errorf("oldest due = %v, want 0 once drained", v)
		}
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			switch mf.GetName() {
			case "convrs_hubspot_sync_close_to_note_seconds":
				if h := mf.GetMetric()[0].GetHistogram(); h.GetSampleCount() != 2 || h.GetSampleSum() < 180 {
					t.Errorf("close to note: %d samples, sum %v s; want 2 of at least 90 s", h.GetSampleCount(), h.GetSampleSum())
				}
			case "convrs_hubspot_sync_outcomes_total":
				if v := mf.GetMetric()[0].GetCounter().GetValue(); v != 2 {
					t.Errorf("outcomes = %v, want 2", v)
				}
			}
		}
	})
}

func gauge(t *testing.T, reg *prometheus.Registry, name string) float64 {
	return gaugeWith(t, reg, name, "")
}

func gaugeWith(t *testing.T, reg *prometheus.Registry, name, status string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if status == "" {
				return m.GetGauge().GetValue()
			}
			for _, l := range m.GetLabel() {
				if l.GetName() == "status" && l.GetValue() == status {
					return m.GetGauge().GetValue()
				}
			}
		}
	}
	t.Fatalf("no %s{status=%q}", name, status)
	return 0
}
