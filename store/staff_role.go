package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/convrs/gateway/convrs"
)

// FindStaffMembers returns the staff of the caller's workspace among ids, in no particular order (the
// dataloader's batch read of assigned agents).
func (d *DB) FindStaffMembers(ctx context.Context, ids []string) ([]*convrs.Staff, error) {
	return findAmong[convrs.Staff, staffRow](ctx, d, ids, "find staff members")
}

// SetStaffRole changes a staff member's role (operators; sessions see the change within seconds).
func (d *DB) SetStaffRole(ctx context.Context, staffID string, role convrs.Role) error {
	if !role.Valid() {
		return convrs.Invalidf("role", "Role must be admin or agent.")
	}
	res := d.db.WithContext(ctx).Model(&staffRow{}).Where("id = ?", staffID).Update("role", string(role))
	if res.Error != nil {
		return fmt.Errorf("store: set staff role: %w", res.Error)
	} else if res.RowsAffected == 0 {
		return convrs.Errorf(convrs.ENOTFOUND, "Staff member not found.")
	}
	return nil
}

// DeleteStaff removes a staff member (operators); their sessions stop working within seconds. Messages they
// wrote keep their name; conversations assigned to them become unassigned.
func (d *DB) DeleteStaff(ctx context.Context, staffID string) error {
	return d.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&conversationRow{}).Where("assigned_staff_id = ?", staffID).Update("assigned_staff_id", "").Error; err != nil {
			return fmt.Errorf("store: delete staff: %w", err)
		}
		res := tx.Where("id = ?", staffID).Delete(&staffRow{})
		if res.Error != nil {
			return fmt.Errorf("store: delete staff: %w", res.Error)
		} else if res.RowsAffected == 0 {
			return convrs.Errorf(convrs.ENOTFOUND, "Staff member not found.")
		}
		return nil
	})
}
