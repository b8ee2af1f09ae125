package graph

import (
	"net"
	"net/http"
	"sync"
)

// wsBudget counts the open websockets of one Server in two pools: sockets that have not completed
// connection_init (pending: anyone can open them, so they get a small budget of their own, per process and per
// client address) and authenticated ones (per process, per staff member and per workspace). A flood of
// token-less sockets therefore cannot take the places of signed-in agents.
type wsBudget struct {
	opts *ServerOptions

	mu            sync.Mutex
	pending       int
	authenticated int
	pendingByAddr map[string]int
	byAddr        map[string]int
	byStaff       map[string]int
	byWorkspace   map[string]int
}

func newWSBudget(opts *ServerOptions) *wsBudget {
	return &wsBudget{opts: opts, pendingByAddr: map[string]int{}, byAddr: map[string]int{}, byStaff: map[string]int{}, byWorkspace: map[string]int{}}
}

// admit takes a pending place for a new socket from addr, or reports why there is none.
func (b *wsBudget) admit(addr string) (ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.pending >= b.opts.MaxPendingConnections || b.pendingByAddr[addr] >= b.opts.MaxPendingPerAddress ||
		b.byAddr[addr] >= b.opts.MaxConnectionsPerAddress {
		return false
	}
	b.pending++
	b.pendingByAddr[addr]++
	b.byAddr[addr]++
	return true
}

// promote moves an initialised socket from the pending pool to the authenticated one, within the caps of its
// staff member and workspace and the process's.
func (b *wsBudget) promote(st *wsState, workspaceID, staffID string) bool {
	staffKey := workspaceID + "/" + staffID
	b.mu.Lock()
	defer b.mu.Unlock()
	if st.promoted {
		return true
	}
	if b.authenticated >= b.opts.MaxConnections || b.byStaff[staffKey] >= b.opts.MaxConnectionsPerStaff ||
		b.byWorkspace[workspaceID] >= b.opts.MaxConnectionsPerWorkspace {
		return false
	}
	b.pending--
	dec(b.pendingByAddr, st.addr)
	b.authenticated++
	b.byStaff[staffKey]++
	b.byWorkspace[workspaceID]++
	st.promoted, st.staffKey, st.workspaceID = true, staffKey, workspaceID
	return true
}

// release gives back the places of a socket that has ended.
func (b *wsBudget) release(st *wsState) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if st.promoted {
		b.authenticated--
		dec(b.byStaff, st.staffKey)
		dec(b.byWorkspace, st.workspaceID)
	} else {
		b.pending--
		dec(b.pendingByAddr, st.addr)
	}
	dec(b.byAddr, st.addr)
}

func (b *wsBudget) counts() (pending, authenticated int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.pending, b.authenticated
}

// dec lowers m[k], dropping the key at zero so the maps hold only open sockets' keys.
func dec(m map[string]int, k string) {
	if m[k] <= 1 {
		delete(m, k)
		return
	}
	m[k]--
}

// remoteHost is the client address of r: the TCP peer's IP (behind a reverse proxy, the proxy's; see
// ServerOptions.ClientAddress).
func remoteHost(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}
