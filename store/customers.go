package store

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/phone"
)

var _ convrs.CustomerService = (*DB)(nil)

// applyCustomerInput validates in and writes it onto row; phone numbers are read in region.
func applyCustomerInput(row *customerRow, in convrs.CustomerInput, region string) error {
	if err := in.ValidateText(); err != nil {
		return err
	}
	if in.Email != nil {
		email, ok := convrs.NormalizeEmail(*in.Email)
		if !ok {
			return convrs.Invalidf("email", "%q is not a valid email address.", strings.TrimSpace(*in.Email))
		}
		row.Email = email
	}
	if in.Phone != nil {
		raw := strings.TrimSpace(*in.Phone)
		if raw == "" {
			row.Phone, row.PhoneRaw = "", ""
		} else {
			e164, err := phone.ParseValid(raw, region)
			if err != nil {
				return convrs.Invalidf("phone", "%q is not a valid phone number. Include the country code (e.g. +44 7911 123456) or use a number from %s.", raw, region)
			}
			row.Phone, row.PhoneRaw = e164, raw
		}
	}
	for _, f := range []struct {
		in    *string
		out   *string
		field string
	}{{in.FirstName, &row.FirstName, "firstName"}, {in.LastName, &row.LastName, "lastName"}} {
		if f.in == nil {
			continue
		}
		*f.out = strings.TrimSpace(*f.in)
	}
	if in.HubspotContactID != nil {
		if err := convrs.ValidContactID(*in.HubspotContactID); err != nil {
			return err
		}
		row.HubspotContactID = strings.TrimSpace(*in.HubspotContactID)
	}
	return nil
}

// FindCustomer returns a customer of the caller's workspace.
func (d *DB) FindCustomer(ctx context.Context, id string) (*convrs.Customer, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	row, err := d.customer(d.db.WithContext(ctx), p.WorkspaceID, id)
	if err != nil {
		return nil, err
	}
	return row.domain(), nil
}

func (d *DB) customer(tx *gorm.DB, workspaceID, id string) (*customerRow, error) {
	var row customerRow
	if err := tx.Where("workspace_id = ? AND id = ?", workspaceID, id).Take(&row).Error; err != nil {
		return nil, notFound(err, "Customer")
	}
	return &row, nil
}

// FindCustomers returns the customers of the caller's workspace among ids, in no particular order (the
// dataloader's batch read).
func (d *DB) FindCustomers(ctx context.Context, ids []string) ([]*convrs.Customer, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	var rows []customerRow
	if err := d.db.WithContext(ctx).Where("workspace_id = ? AND id IN ?", p.WorkspaceID, ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: find customers: %w", err)
	}
	out := make([]*convrs.Customer, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

// ListCustomers returns the caller's workspace's customers whose name, email or phone contains query.
func (d *DB) ListCustomers(ctx context.Context, query string, limit int) ([]*convrs.Customer, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	query = strings.ToLower(strings.TrimSpace(query))
	if e := convrs.ValidText("query", query, convrs.MaxSearchLength); e != nil {
		return nil, e
	}
	q := d.db.WithContext(ctx).Where("workspace_id = ?", p.WorkspaceID)
	if query != "" {
		// The ESCAPE clause makes the backslash escape % and _ on both engines (SQLite has no default escape).
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(query) + "%"
		q = q.Where(`LOWER(first_name) LIKE ? ESCAPE '\' OR LOWER(last_name) LIKE ? ESCAPE '\' OR email LIKE ? ESCAPE '\' OR phone LIKE ? ESCAPE '\'`, like, like, like, like)
	}
	var rows []customerRow
	if err := q.Order("first_name, last_name, id").Limit(clampLimit(limit)).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list customers: %w", err)
	}
	out := make([]*convrs.Customer, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

func clampLimit(n int) int {
	if n <= 0 || n > 200 {
		return 200
	}
	return n
}

// CreateCustomer adds a customer to the caller's workspace.
func (d *DB) CreateCustomer(ctx context.Context, in convrs.CustomerInput) (*convrs.Customer, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	var out *convrs.Customer
	err = d.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row, err := d.createCustomer(tx, p.WorkspaceID, in)
		if err != nil {
			return err
		}
		out = row.domain()
		return nil
	})
	return out, err
}

func (d *DB) createCustomer(tx *gorm.DB, workspaceID string, in convrs.CustomerInput) (*customerRow, error) {
	ws, err := d.workspace(tx, workspaceID)
	if err != nil {
		return nil, err
	}
	row := &customerRow{WorkspaceID: workspaceID}
	if err := applyCustomerInput(row, in, ws.DefaultRegion); err != nil {
		return nil, err
	}
	return row, d.insertCustomer(tx, row)
}

// insertCustomer stores a new customer whose details are already validated into row.
func (d *DB) insertCustomer(tx *gorm.DB, row *customerRow) error {
	now := d.now()
	row.ID, row.CreatedAt, row.UpdatedAt = newID("cus"), now, now
	if err := d.stampPortal(tx, row, ""); err != nil {
		return err
	}
	if err := tx.Create(row).Error; err != nil {
		return fmt.Errorf("store: create customer: %w", err)
	}
	return nil
}

// UpdateCustomer changes a customer of the caller's workspace.
func (d *DB) UpdateCustomer(ctx context.Context, id string, in convrs.CustomerInput) (*convrs.Customer, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	ws, err := d.workspace(d.db.WithContext(ctx), p.WorkspaceID)
	if err != nil {
		return nil, err
	}
	var out *convrs.Customer
	err = d.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row, err := d.customer(tx, p.WorkspaceID, id)
		if err != nil {
			return err
		}
		linked := row.HubspotContactID
		if err := applyCustomerInput(row, in, ws.DefaultRegion); err != nil {
			return err
		}
		if err := d.stampPortal(tx, row, linked); err != nil {
			return err
		}
		row.UpdatedAt = d.now()
		if err := tx.Save(row).Error; err != nil {
			return fmt.Errorf("store: update customer: %w", err)
		}
		out = row.domain()
		return nil
	})
	return out, err
}

// LinkHubspotContact records that a customer is the HubSpot contact contactID of portalID (the transcript
// sync's match, or an outbound search pick).
func (d *DB) LinkHubspotContact(ctx context.Context, customerID string, portalID int64, contactID string) error {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return err
	}
	res := d.db.WithContext(ctx).Model(&customerRow{}).Where("workspace_id = ? AND id = ?", p.WorkspaceID, customerID).
		Updates(map[string]any{"hubspot_contact_id": contactID, "hubspot_portal_id": portalID, "updated_at": d.now()})
	if res.Error != nil {
		return fmt.Errorf("store: link hubspot contact: %w", res.Error)
	} else if res.RowsAffected == 0 {
		return convrs.Errorf(convrs.ENOTFOUND, "Customer not found.")
	}
	return nil
}

// stampPortal records which portal a newly set HubSpot contact ID belongs to: the workspace's connected one.
func (d *DB) stampPortal(tx *gorm.DB, row *customerRow, previousContactID string) error {
	if row.HubspotContactID == previousContactID {
		return nil
	}
	row.HubspotPortalID = 0
	if row.HubspotContactID == "" {
		return nil
	}
	var portal int64
	if err := tx.Model(&integrationRow{}).Select("portal_id").Where("workspace_id = ?", row.WorkspaceID).Scan(&portal).Error; err != nil {
		return fmt.Errorf("store: customer portal: %w", err)
	}
	row.HubspotPortalID = portal
	return nil
}
