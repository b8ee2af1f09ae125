package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/convrs/gateway/convrs"
)

var _ convrs.ConversationService = (*DB)(nil)

// ListConversations returns the caller's workspace's conversations, most recently active first.
func (d *DB) ListConversations(ctx context.Context, f convrs.ConversationFilter) ([]*convrs.Conversation, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	q := d.db.WithContext(ctx).Where("workspace_id = ?", p.WorkspaceID)
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	if f.CustomerID != "" {
		q = q.Where("customer_id = ?", f.CustomerID)
	}
	var rows []conversationRow
	if err := q.Order("last_message_at DESC, id").Limit(clampLimit(f.Limit)).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list conversations: %w", err)
	}
	out := make([]*convrs.Conversation, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

// FindConversation returns a conversation of the caller's workspace.
func (d *DB) FindConversation(ctx context.Context, id string) (*convrs.Conversation, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	row, err := d.conversation(d.db.WithContext(ctx), p.WorkspaceID, id)
	if err != nil {
		return nil, err
	}
	return row.domain(), nil
}

func (d *DB) conversation(tx *gorm.DB, workspaceID, id string) (*conversationRow, error) {
	var row conversationRow
	if err := tx.Where("workspace_id = ? AND id = ?", workspaceID, id).Take(&row).Error; err != nil {
		return nil, notFound(err, "Conversation")
	}
	return &row, nil
}

// FindConversations returns the caller's workspace's conversations among ids, in no particular order (the
// transcript sync's batch read).
func (d *DB) FindConversations(ctx context.Context, ids []string) ([]*convrs.Conversation, error) {
	return findAmong[convrs.Conversation, conversationRow](ctx, d, ids, "find conversations")
}

// ListMessages returns a conversation's messages, oldest first.
func (d *DB) ListMessages(ctx context.Context, conversationID string) ([]*convrs.Message, error) {
	all, err := d.ListAllMessagesOf(ctx, []string{conversationID})
	return all[conversationID], err
}

// ListAllMessagesOf returns every message of each of the caller's workspace's conversations among ids, oldest
// first, keyed by conversation ID, in one query (the transcript sync's batch read).
func (d *DB) ListAllMessagesOf(ctx context.Context, conversationIDs []string) (map[string][]*convrs.Message, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	var rows []messageRow
	err = d.db.WithContext(ctx).Where("workspace_id = ? AND conversation_id IN ?", p.WorkspaceID, conversationIDs).
		Order("conversation_id, created_at, id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: list messages: %w", err)
	}
	out := make(map[string][]*convrs.Message, len(conversationIDs))
	for i := range rows {
		out[rows[i].ConversationID] = append(out[rows[i].ConversationID], rows[i].domain())
	}
	return out, nil
}

// ListMessagesOf returns a page of messages of each of the caller's workspace's conversations among ids, in
// one query: the page.Last most recent ones (before the message page.Before, if set), oldest first.
func (d *DB) ListMessagesOf(ctx context.Context, conversationIDs []string, page convrs.MessagePage) (map[string][]*convrs.Message, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	if page.Last < 1 || page.Last > convrs.MaxMessagePage {
		return nil, convrs.Invalidf("last", "Ask for 1 to %d messages.", convrs.MaxMessagePage)
	}
	tx := d.db.WithContext(ctx)
	where, args := "workspace_id = ? AND conversation_id IN ?", []any{p.WorkspaceID, conversationIDs}
	if page.Before != "" {
		if e := convrs.ValidText("before", page.Before, 64); e != nil {
			return nil, e
		}
		var cursor messageRow
		if err := tx.Where("workspace_id = ? AND id = ?", p.WorkspaceID, page.Before).Take(&cursor).Error; err != nil {
			if err = notFound(err, "Message"); convrs.ErrorCode(err) == convrs.ENOTFOUND {
				return nil, convrs.Invalidf("before", "No such message: %q.", page.Before)
			}
			return nil, fmt.Errorf("store: list messages: %w", err)
		}
		where += " AND (created_at < ? OR (created_at = ? AND id < ?))"
		args = append(args, cursor.CreatedAt, cursor.CreatedAt, cursor.ID)
	}
	var rows []messageRow
	err = tx.Raw(`SELECT id, workspace_id, conversation_id, author_kind, author_name, author_staff_id, text, created_at FROM (
		SELECT m.*, ROW_NUMBER() OVER (PARTITION BY conversation_id ORDER BY created_at DESC, id DESC) AS rn
		FROM messages m WHERE `+where+`) AS latest WHERE rn <= ? ORDER BY conversation_id, created_at, id`,
		append(args, page.Last)...).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: list messages: %w", err)
	}
	out := make(map[string][]*convrs.Message, len(conversationIDs))
	for i := range rows {
		out[rows[i].ConversationID] = append(out[rows[i].ConversationID], rows[i].domain())
	}
	return out, nil
}

// FindMessage returns one message of the caller's workspace.
func (d *DB) FindMessage(ctx context.Context, id string) (*convrs.Message, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	var row messageRow
	if err := d.db.WithContext(ctx).Where("workspace_id = ? AND id = ?", p.WorkspaceID, id).Take(&row).Error; err != nil {
		return nil, notFound(err, "Message")
	}
	return row.domain(), nil
}

// SendMessage posts text as the calling staff member.
func (d *DB) SendMessage(ctx context.Context, conversationID, text string) (*convrs.Message, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	staff, err := d.FindStaff(ctx, p.StaffID)
	if err != nil {
		return nil, err
	}
	return d.addMessage(ctx, p.WorkspaceID, conversationID, convrs.AuthorAgent, staff.Name, staff.ID, text)
}

// PostCustomerMessage posts text as the conversation's customer.
func (d *DB) PostCustomerMessage(ctx context.Context, conversationID, text string) (*convrs.Message, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	conv, err := d.FindConversation(ctx, conversationID)
	if err != nil {
		return nil, err
	}
	cust, err := d.FindCustomer(ctx, conv.CustomerID)
	if err != nil {
		return nil, err
	}
	return d.addMessage(ctx, p.WorkspaceID, conversationID, convrs.AuthorCustomer, cust.AuthorName(), "", text)
}

func (d *DB) addMessage(ctx context.Context, workspaceID, conversationID string, kind convrs.AuthorKind, name, staffID, text string) (*convrs.Message, error) {
	text, err := convrs.ValidMessage(text)
	if err != nil {
		return nil, err
	}
	var msg *messageRow
	err = d.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		conv, err := d.conversation(tx, workspaceID, conversationID)
		if err != nil {
			return err
		}
		if conv.Status == string(convrs.ConversationClosed) {
			return convrs.Errorf(convrs.ECONFLICT, "This conversation is closed. Reopen it to reply.")
		}
		msg, err = d.insertMessage(tx, conv, kind, name, staffID, text)
		return err
	})
	if err != nil {
		return nil, err
	}
	d.publish(ctx, convrs.ConversationEvent{Kind: convrs.ConversationMessageAdded, WorkspaceID: workspaceID, ConversationID: conversationID, MessageID: msg.ID})
	return msg.domain(), nil
}

func (d *DB) insertMessage(tx *gorm.DB, conv *conversationRow, kind convrs.AuthorKind, name, staffID, text string) (*messageRow, error) {
	now := d.now()
	row := &messageRow{ID: newID("msg"), WorkspaceID: conv.WorkspaceID, ConversationID: conv.ID, AuthorKind: string(kind),
		AuthorName: name, AuthorStaffID: staffID, Text: text, CreatedAt: now}
	if err := tx.Create(row).Error; err != nil {
		return nil, fmt.Errorf("store: insert message: %w", err)
	}
	updates := map[string]any{"last_message_at": now, "updated_at": now}
	if kind == convrs.AuthorAgent && conv.AssignedStaffID == "" {
		updates["assigned_staff_id"] = staffID
	}
	if err := tx.Model(&conversationRow{}).Where("id = ?", conv.ID).Updates(updates).Error; err != nil {
		return nil, fmt.Errorf("store: touch conversation: %w", err)
	}
	return row, nil
}

// CloseConversation closes an open conversation. In the same transaction it records a system message and, when
// the workspace syncs transcripts to HubSpot, queues the conversation's sync record, so that a close is never
// lost between the database and the transcript sync, whatever crashes when.
func (d *DB) CloseConversation(ctx context.Context, id string) (*convrs.Conversation, error) {
	return d.setStatus(ctx, id, convrs.ConversationClosed)
}

// ReopenConversation opens a closed conversation again.
func (d *DB) ReopenConversation(ctx context.Context, id string) (*convrs.Conversation, error) {
	return d.setStatus(ctx, id, convrs.ConversationOpen)
}

func (d *DB) setStatus(ctx context.Context, id string, to convrs.ConversationStatus) (*convrs.Conversation, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	actor := "The system"
	if p.StaffID != "" {
		staff, err := d.FindStaff(ctx, p.StaffID)
		if err != nil {
			return nil, err
		}
		actor = staff.Name
	}
	var out *conversationRow
	var queued *hubspotSyncRow
	err = d.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		conv, err := d.conversation(tx, p.WorkspaceID, id)
		if err != nil {
			return err
		}
		if conv.Status == string(to) {
			return convrs.Errorf(convrs.ECONFLICT, "This conversation is already %s.", to)
		}
		now := d.now()
		verb := "reopened"
		if to == convrs.ConversationClosed {
			verb = "closed"
			conv.ClosedAt = &now
		} else {
			conv.ClosedAt = nil
		}
		conv.Status = string(to)
		conv.UpdatedAt = now
		if err := tx.Model(&conversationRow{}).Where("id = ?", conv.ID).
			Updates(map[string]any{"status": conv.Status, "closed_at": conv.ClosedAt, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("store: set conversation status: %w", err)
		}
		if _, err := d.insertMessage(tx, conv, convrs.AuthorSystem, "Convrs", "", fmt.Sprintf("Conversation %s by %s.", verb, actor)); err != nil {
			return err
		}
		if to == convrs.ConversationClosed {
			if queued, err = d.queueTranscriptSync(tx, p.WorkspaceID, conv, now); err != nil {
				return err
			}
		}
		out, err = d.conversation(tx, p.WorkspaceID, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	kind := convrs.ConversationEventReopened
	if to == convrs.ConversationClosed {
		kind = convrs.ConversationEventClosed
	}
	d.publish(ctx, convrs.ConversationEvent{Kind: kind, WorkspaceID: p.WorkspaceID, ConversationID: id})
	if queued != nil {
		d.publishSync(ctx, queued.domain())
	}
	return out.domain(), nil
}

// StartConversation starts an outbound conversation with the customer named by CustomerID, or with a new
// customer described by Customer. Every invalid field is reported at once (convrs.FieldErrors); the channel
// needs its contact detail (a phone for sms and whatsapp, an email for email). Details that match an existing
// customer (the same HubSpot contact, email or phone) never change that customer: ECONFLICT says who it is,
// with the customer's id in Extensions["customerId"], so the agent can start the chat with them instead. A
// HubSpot contact in Pick (set by the caller that fetched it from the connected portal, never by the browser)
// is carried by the conversation, so its transcript goes there; it also links a new customer, and an existing
// one named by CustomerID only with LinkCustomer. New details that belong to an existing customer (not
// linked to the pick) are an ECONFLICT saying so ("Bob Smith is already a customer; this chat will be written
// to Robert Smith in HubSpot."). The first agent message opens the conversation.
func (d *DB) StartConversation(ctx context.Context, in convrs.StartConversationInput) (*convrs.Conversation, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	staff, err := d.FindStaff(ctx, p.StaffID)
	if err != nil {
		return nil, err
	}
	ws, err := d.workspace(d.db.WithContext(ctx), p.WorkspaceID)
	if err != nil {
		return nil, err
	}
	// Every invalid field at once: the input's own, then the new customer's details.
	var errs convrs.FieldErrors
	errs.Add(in.Validate())
	text := strings.TrimSpace(in.Message) // as Validate checked it
	var probe customerRow
	if in.CustomerID == "" {
		probe = customerRow{WorkspaceID: p.WorkspaceID}
		// One field at a time, so that every invalid one is reported.
		c := in.Customer
		for _, one := range []convrs.CustomerInput{{Email: c.Email}, {Phone: c.Phone}, {FirstName: c.FirstName}, {LastName: c.LastName}} {
			if err := applyCustomerInput(&probe, one, ws.DefaultRegion); err != nil && !errs.Add(err) {
				return nil, err
			}
		}
		// A detail typed but invalid is reported already, not as missing.
		errs.Add(convrs.Channel(in.Channel).NeedsContact(probe.Email != "" || deref(c.Email) != "", probe.Phone != "" || deref(c.Phone) != ""))
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if e := convrs.ValidText("subject", strings.TrimSpace(in.Subject), convrs.MaxSubjectLength); e != nil {
		return nil, e
	}
	if in.CustomerID != "" {
		if e := convrs.ValidText("customerId", in.CustomerID, 64); e != nil {
			return nil, e
		}
	}
	chosen := convrs.HubspotLinkSource{Rule: convrs.MatchChosen, StaffID: staff.ID, StaffName: staff.Name, At: d.now()}
	var conv *conversationRow
	err = d.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var cust *customerRow
		if in.CustomerID != "" {
			if cust, err = d.customer(tx, p.WorkspaceID, in.CustomerID); err != nil {
				return err
			}
			if err := convrs.Channel(in.Channel).NeedsContact(cust.Email != "", cust.Phone != ""); err != nil {
				return err
			}
			if in.Pick != nil && in.LinkCustomer && (cust.HubspotContactID != in.Pick.ContactID || cust.HubspotPortalID != in.Pick.PortalID) {
				if err := d.linkRow(tx, cust, in.Pick.PortalID, in.Pick.ContactID, chosen); err != nil {
					return err
				}
			}
		} else {
			var existing *customerRow
			var field string
			if in.Pick != nil {
				// The customer already is the contact picked in HubSpot: start the chat with them, unchanged.
				if existing, err = d.customerLinkedTo(tx, p.WorkspaceID, in.Pick.PortalID, in.Pick.ContactID); err != nil {
					return err
				}
			}
			if existing == nil {
				if existing, field, err = d.matchCustomer(tx, p.WorkspaceID, &probe); err != nil {
					return err
				}
			} else {
				field = "hubspotContactId"
			}
			switch {
			case existing == nil:
				cust = &probe
				if err := d.insertCustomer(tx, cust); err != nil {
					return err
				}
				if in.Pick != nil {
					if err := d.linkRow(tx, cust, in.Pick.PortalID, in.Pick.ContactID, chosen); err != nil {
						return err
					}
				}
			case field == "hubspotContactId":
				cust = existing
			case in.Pick != nil:
				return pickConflict(existing.domain(), field, in.Pick)
			default:
				return matchConflict(existing.domain(), field)
			}
		}
		now := d.now()
		conv = &conversationRow{ID: newID("cnv"), WorkspaceID: p.WorkspaceID, CustomerID: cust.ID, Channel: in.Channel,
			Subject: strings.TrimSpace(in.Subject), Status: string(convrs.ConversationOpen), AssignedStaffID: staff.ID,
			OpenedAt: now, LastMessageAt: now, UpdatedAt: now}
		if in.Pick != nil {
			conv.HubspotContactID, conv.HubspotPortalID = in.Pick.ContactID, in.Pick.PortalID
			conv.HubspotPickedByID, conv.HubspotPickedByName = staff.ID, staff.Name
		}
		if err := tx.Create(conv).Error; err != nil {
			return fmt.Errorf("store: create conversation: %w", err)
		}
		_, err := d.insertMessage(tx, conv, convrs.AuthorAgent, staff.Name, staff.ID, text)
		return err
	})
	if err != nil {
		return nil, err
	}
	d.publish(ctx, convrs.ConversationEvent{Kind: convrs.ConversationCreated, WorkspaceID: p.WorkspaceID, ConversationID: conv.ID})
	return d.FindConversation(ctx, conv.ID)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return strings.TrimSpace(*s)
}

// matchConflict is the ECONFLICT of details that belong to an existing customer: "This matches Bob Smith
// (bob@example.com)." with the customer's id, so the form can offer to use them.
func matchConflict(c *convrs.Customer, field string) error {
	who := c.Name()
	contact := c.Email
	if field == "phone" || contact == "" {
		contact = cmp.Or(c.PhoneRaw, c.Phone)
	}
	msg := "This matches " + who + " (" + contact + ")."
	if who == "" {
		msg = "This matches the existing customer " + contact + "."
	}
	ext := map[string]any{"customerId": c.ID}
	for k, v := range map[string]string{"customerName": who, "customerEmail": c.Email, "customerPhone": c.Phone} {
		if v != "" {
			ext[k] = v
		}
	}
	return &convrs.Error{Code: convrs.ECONFLICT, Field: field, Message: msg, Extensions: ext}
}

// pickConflict is the ECONFLICT of a HubSpot pick whose details belong to an existing customer: the chat can
// start with that customer and still be written to the picked contact.
func pickConflict(c *convrs.Customer, field string, pick *convrs.HubspotPick) error {
	e := matchConflict(c, field).(*convrs.Error)
	who := cmp.Or(c.Name(), c.Email, c.PhoneRaw, c.Phone)
	contact := cmp.Or(pick.ContactName, "the HubSpot contact you picked")
	e.Message = fmt.Sprintf("%s is already a customer; this chat will be written to %s in HubSpot.", who, contact)
	e.Extensions["hubspotContactId"] = pick.ContactID
	if pick.ContactName != "" {
		e.Extensions["hubspotContactName"] = pick.ContactName
	}
	return e
}

// customerLinkedTo returns the workspace's oldest customer linked to contactID of portal, or nil.
func (d *DB) customerLinkedTo(tx *gorm.DB, workspaceID string, portal int64, contactID string) (*customerRow, error) {
	var row customerRow
	err := tx.Where("workspace_id = ? AND hubspot_portal_id = ? AND hubspot_contact_id = ?", workspaceID, portal, contactID).
		Order("created_at, id").Take(&row).Error
	switch {
	case err == nil:
		return &row, nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return nil, nil
	}
	return nil, fmt.Errorf("store: customer linked to contact: %w", err)
}

// matchCustomer finds the workspace's customer with the probe's email or phone, in that order, and names the
// field that matched.
func (d *DB) matchCustomer(tx *gorm.DB, workspaceID string, probe *customerRow) (*customerRow, string, error) {
	for _, c := range []struct{ col, val, field string }{
		{"email", probe.Email, "email"}, {"phone", probe.Phone, "phone"},
	} {
		if c.val == "" {
			continue
		}
		var row customerRow
		err := tx.Where("workspace_id = ? AND "+c.col+" = ?", workspaceID, c.val).Order("created_at, id").Take(&row).Error
		if err == nil {
			return &row, c.field, nil
		} else if err != gorm.ErrRecordNotFound {
			return nil, "", fmt.Errorf("store: match customer: %w", err)
		}
	}
	return nil, "", nil
}

// OpenInbound opens a conversation started by a customer with their first message (a web-chat visitor writing
// in; the demo seed and the simulated channels use it).
func (d *DB) OpenInbound(ctx context.Context, customerID, channel, text string) (*convrs.Conversation, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	if err := convrs.Channel(channel).Validate(); err != nil {
		return nil, err
	}
	if text, err = convrs.ValidMessage(text); err != nil {
		return nil, err
	}
	var conv *conversationRow
	err = d.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		cust, err := d.customer(tx, p.WorkspaceID, customerID)
		if err != nil {
			return err
		}
		now := d.now()
		conv = &conversationRow{ID: newID("cnv"), WorkspaceID: p.WorkspaceID, CustomerID: cust.ID, Channel: channel,
			Status: string(convrs.ConversationOpen), OpenedAt: now, LastMessageAt: now, UpdatedAt: now}
		if err := tx.Create(conv).Error; err != nil {
			return fmt.Errorf("store: create conversation: %w", err)
		}
		_, err = d.insertMessage(tx, conv, convrs.AuthorCustomer, cust.domain().AuthorName(), "", text)
		return err
	})
	if err != nil {
		return nil, err
	}
	d.publish(ctx, convrs.ConversationEvent{Kind: convrs.ConversationCreated, WorkspaceID: p.WorkspaceID, ConversationID: conv.ID})
	return conv.domain(), nil
}
