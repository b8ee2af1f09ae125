package convrs

import (
	"context"
	"time"
)

// Role is what a staff member may do in their workspace.
type Role string

const (
	RoleAdmin Role = "admin"
	RoleAgent Role = "agent"
	// RoleSystem is used by background work (seeding, the transcript sync) acting inside one workspace.
	RoleSystem Role = "system"
)

// Valid reports whether r is a role a staff member can have.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleAgent }

// Principal is who is acting: a staff member of one workspace, or the system acting inside one.
type Principal struct {
	StaffID     string
	WorkspaceID string
	Role        Role
	// Expires is when the session that authenticated the principal ends; zero for the system.
	Expires time.Time
}

// IsAdmin reports whether the principal may run admin-only operations.
func (p *Principal) IsAdmin() bool { return p != nil && (p.Role == RoleAdmin || p.Role == RoleSystem) }

type principalKey struct{}

// NewContextWithPrincipal returns a copy of ctx that carries p.
func NewContextWithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFromContext returns the principal of ctx, or nil.
func PrincipalFromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// SystemContext returns a context in which the system acts inside workspaceID.
func SystemContext(ctx context.Context, workspaceID string) context.Context {
	return NewContextWithPrincipal(ctx, &Principal{WorkspaceID: workspaceID, Role: RoleSystem})
}

// Authenticated returns the principal of ctx, or EUNAUTHORIZED.
func Authenticated(ctx context.Context) (*Principal, error) {
	p := PrincipalFromContext(ctx)
	if p == nil || p.WorkspaceID == "" {
		return nil, Errorf(EUNAUTHORIZED, "Sign in to continue.")
	}
	return p, nil
}

// RequireAdmin returns the principal of ctx if it is an admin, EFORBIDDEN for an agent and EUNAUTHORIZED
// without a principal.
func RequireAdmin(ctx context.Context) (*Principal, error) {
	p, err := Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	if !p.IsAdmin() {
		return nil, Errorf(EFORBIDDEN, "Only an administrator can do this.")
	}
	return p, nil
}
