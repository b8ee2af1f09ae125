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
	return findAmong[convrs.Customer, customerRow](ctx, d, ids, "find customers")
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
		if err := applyCustomerInput(row, in, ws.DefaultRegion); err != nil {
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

// LinkHubspotContact records that a customer is the HubSpot contact contactID of portalID and how that was
// decided (a rule's match, or the person who chose it), and forgets a "not this person" of that contact. Only
// the server calls it: the rules, an outbound pick, Change contact, each after reading the contact in HubSpot.
func (d *DB) LinkHubspotContact(ctx context.Context, customerID string, portalID int64, contactID string, src convrs.HubspotLinkSource) error {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return err
	}
	if src.At.IsZero() {
		src.At = d.now()
	}
	return d.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row, err := d.customer(tx, p.WorkspaceID, customerID)
		if err != nil {
			return err
		}
		return d.linkRow(tx, row, portalID, contactID, src)
	})
}

func (d *DB) linkRow(tx *gorm.DB, row *customerRow, portal int64, contactID string, src convrs.HubspotLinkSource) error {
	upd := linkColumns(portal, contactID, src)
	upd["hubspot_not_this_person"] = withoutNotThisPerson(row.HubspotNotThisPerson, convrs.HubspotContactRef{PortalID: portal, ContactID: contactID})
	upd["updated_at"] = d.now()
	if err := tx.Model(&customerRow{}).Where("workspace_id = ? AND id = ?", row.WorkspaceID, row.ID).Updates(upd).Error; err != nil {
		return fmt.Errorf("store: link hubspot contact: %w", err)
	}
	return nil
}

// UnlinkHubspotContact removes the customer's link to a contact of portalID and remembers that contact as "not
// this person", so the rules never match the customer to it again until someone links it. It returns the
// contact that was linked ("" when there was none of portalID).
func (d *DB) UnlinkHubspotContact(ctx context.Context, customerID string, portalID int64) (string, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return "", err
	}
	var was string
	err = d.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row, err := d.customer(tx, p.WorkspaceID, customerID)
		if err != nil {
			return err
		}
		if row.HubspotContactID == "" || row.HubspotPortalID != portalID {
			return nil
		}
		was = row.HubspotContactID
		ref := convrs.HubspotContactRef{PortalID: portalID, ContactID: was}
		upd := linkColumns(0, "", convrs.HubspotLinkSource{})
		upd["hubspot_not_this_person"] = strings.TrimSpace(withoutNotThisPerson(row.HubspotNotThisPerson, ref) + " " + ref.String())
		upd["updated_at"] = d.now()
		if err := tx.Model(&customerRow{}).Where("workspace_id = ? AND id = ?", row.WorkspaceID, row.ID).Updates(upd).Error; err != nil {
			return fmt.Errorf("store: unlink hubspot contact: %w", err)
		}
		return nil
	})
	return was, err
}
