package store

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/phone"
)

var (
	_ convrs.WorkspaceService = (*DB)(nil)
	_ convrs.StaffService     = (*DB)(nil)
)

// CreateWorkspace creates a workspace (operators and seeding; no principal needed).
func (d *DB) CreateWorkspace(ctx context.Context, w *convrs.Workspace) error {
	if w.ID == "" {
		w.ID = newID("ws")
	}
	if err := validateWorkspace(w.Name, w.DefaultRegion, w.TimeZone); err != nil {
		return err
	}
	now := d.now()
	row := workspaceRow{ID: w.ID, Name: w.Name, DefaultRegion: strings.ToUpper(w.DefaultRegion), TimeZone: w.TimeZone, CreatedAt: now, UpdatedAt: now}
	if err := d.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store: create workspace: %w", err)
	}
	*w = *row.domain()
	return nil
}

// FindWorkspace returns the caller's workspace; any other ID is ENOTFOUND.
func (d *DB) FindWorkspace(ctx context.Context, id string) (*convrs.Workspace, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	if id != p.WorkspaceID {
		return nil, convrs.Errorf(convrs.ENOTFOUND, "Workspace not found.")
	}
	return d.workspace(d.db.WithContext(ctx), id)
}

func (d *DB) workspace(tx *gorm.DB, id string) (*convrs.Workspace, error) {
	var row workspaceRow
	if err := tx.Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, notFound(err, "Workspace")
	}
	return row.domain(), nil
}

// UpdateWorkspace changes the caller's workspace's settings. Admin only.
func (d *DB) UpdateWorkspace(ctx context.Context, id string, upd convrs.WorkspaceUpdate) (*convrs.Workspace, error) {
	p, err := convrs.RequireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	if id != p.WorkspaceID {
		return nil, convrs.Errorf(convrs.ENOTFOUND, "Workspace not found.")
	}
	w, err := d.workspace(d.db.WithContext(ctx), id)
	if err != nil {
		return nil, err
	}
	if upd.Name != nil {
		w.Name = strings.TrimSpace(*upd.Name)
	}
	if upd.DefaultRegion != nil {
		w.DefaultRegion = strings.ToUpper(strings.TrimSpace(*upd.DefaultRegion))
	}
	if upd.TimeZone != nil {
		w.TimeZone = strings.TrimSpace(*upd.TimeZone)
		if tz, ok := convrs.CanonicalTimeZone(w.TimeZone); ok {
			w.TimeZone = tz
		}
	}
	if err := validateWorkspace(w.Name, w.DefaultRegion, w.TimeZone); err != nil {
		return nil, err
	}
	err = d.db.WithContext(ctx).Model(&workspaceRow{}).Where("id = ?", id).Updates(map[string]any{
		"name": w.Name, "default_region": w.DefaultRegion, "time_zone": w.TimeZone, "updated_at": d.now(),
	}).Error
	if err != nil {
		return nil, fmt.Errorf("store: update workspace: %w", err)
	}
	return d.workspace(d.db.WithContext(ctx), id)
}

// validateWorkspace reports every invalid setting at once (convrs.FieldErrors).
func validateWorkspace(name, region, tz string) error {
	var errs convrs.FieldErrors
	bad := map[string]bool{}
	for _, f := range []struct {
		v, field string
		max      int
	}{{name, "name", convrs.MaxWorkspaceNameLength}, {region, "defaultRegion", convrs.MaxRegionLength}, {tz, "timeZone", convrs.MaxTimeZoneLength}} {
		if e := convrs.ValidText(f.field, f.v, f.max); e != nil {
			if !errs.Add(e) {
				return e
			}
			bad[f.field] = true
		}
	}
	switch {
	case bad["name"]:
	case strings.TrimSpace(name) == "":
		errs = append(errs, convrs.Invalidf("name", "Enter a workspace name."))
	case len(name) > 200:
		errs = append(errs, convrs.Invalidf("name", "The workspace name is too long (200 characters at most)."))
	}
	if !bad["defaultRegion"] && !phone.ValidRegion(region) {
		errs = append(errs, convrs.Invalidf("defaultRegion", "%q is not a region code such as GB or US.", region))
	}
	if _, ok := convrs.CanonicalTimeZone(tz); !bad["timeZone"] && !ok {
		errs = append(errs, convrs.Invalidf("timeZone", "%q is not a time zone such as Europe/London.", tz))
	}
	return errs.Err()
}

// CreateStaff adds a staff member to a workspace (operators and seeding).
func (d *DB) CreateStaff(ctx context.Context, s *convrs.Staff) error {
	if s.ID == "" {
		s.ID = newID("stf")
	}
	if err := s.Validate(); err != nil {
		return err
	}
	email, _ := convrs.NormalizeEmail(s.Email)
	row := staffRow{ID: s.ID, WorkspaceID: s.WorkspaceID, Name: s.Name, Email: email, Role: string(s.Role), CreatedAt: d.now()}
	if err := d.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store: create staff: %w", err)
	}
	*s = *row.domain()
	return nil
}

// FindStaff returns a staff member of the caller's workspace.
func (d *DB) FindStaff(ctx context.Context, id string) (*convrs.Staff, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	var row staffRow
	if err := d.db.WithContext(ctx).Where("workspace_id = ? AND id = ?", p.WorkspaceID, id).Take(&row).Error; err != nil {
		return nil, notFound(err, "Staff member")
	}
	return row.domain(), nil
}

// ListStaff returns the caller's workspace's staff by name.
func (d *DB) ListStaff(ctx context.Context) ([]*convrs.Staff, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	var rows []staffRow
	if err := d.db.WithContext(ctx).Where("workspace_id = ?", p.WorkspaceID).Order("name, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list staff: %w", err)
	}
	out := make([]*convrs.Staff, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

// DirectoryEntry is a staff member with their workspace's name, for the development sign-in page.
type DirectoryEntry struct {
	Staff         *convrs.Staff
	WorkspaceName string
}

// StaffDirectory lists every staff member of every workspace. It is for the development sign-in page and the
// token command only; nothing reachable by users in production calls it.
func (d *DB) StaffDirectory(ctx context.Context) ([]DirectoryEntry, error) {
	var rows []struct {
		ID, WorkspaceID, Name, Email, Role, WorkspaceName string
	}
	err := d.db.WithContext(ctx).Table("staff").Select("staff.id, staff.workspace_id, staff.name, staff.email, staff.role, workspaces.name AS workspace_name").
		Joins("JOIN workspaces ON workspaces.id = staff.workspace_id").Order("workspaces.name, staff.role, staff.name").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: staff directory: %w", err)
	}
	out := make([]DirectoryEntry, len(rows))
	for i := range rows {
		r := rows[i]
		out[i] = DirectoryEntry{Staff: &convrs.Staff{ID: r.ID, WorkspaceID: r.WorkspaceID, Name: r.Name, Email: r.Email, Role: convrs.Role(r.Role)}, WorkspaceName: r.WorkspaceName}
	}
	return out, nil
}

// StaffByID finds a staff member in any workspace (the token command and session checks).
func (d *DB) StaffByID(ctx context.Context, id string) (*convrs.Staff, error) {
	var row staffRow
	if err := d.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, notFound(err, "Staff member")
	}
	return row.domain(), nil
}
