package hubsync

import (
	"context"
	"errors"
	"github.com/convrs/gateway/convrs"
	"slices"

	"github.com/convrs/gateway/hubspot"
)

// Creating a contact exactly once, whatever became of the answer, for every kind of customer.
//
// With an email the create is safe already: a second create answers 409 with the existing ID, and a read by
// email (strongly consistent) finds it. A customer without an email (a phone number, a name) has no such key,
// and HubSpot's search, the only other way to find the contact, may lag without bound. So the contact is
// created *with its first note*: the conversation's first note part is written first, on no contact, and its
// ID recorded (the record's note IDs with no contact ID: the "anchor"); the contact is then created associated
// with that note in the same call. After any unknown outcome the note's associations (a strongly consistent
// read) name the contact if HubSpot created it. The anchors of every record of the customer are read, so a
// second conversation of the customer finds the first one's contact too (matching is serialised per customer).
// A note create whose answer was lost before any contact existed leaves a note on no contact, on no timeline;
// the next attempt writes a new one.

// creator is the matcher's view of HubSpot's contacts for one job: reads as usual, creates as above.
type creator struct {
	*hubspot.ContactsService
	w  *Worker
	hc *hubspot.Client
	j  *job
}

// anchorOf is the record's first note when it was written before any contact (see above), else "".
func anchorOf(c *convrs.HubspotSyncClaim) string {
	if c.Sync.ContactID == "" && c.SyncedClose == c.Sync.CloseNumber && len(c.Parts) > 0 {
		return c.Parts[0]
	}
	return ""
}

func (cr *creator) Create(ctx context.Context, props map[string]string) (*hubspot.Contact, *hubspot.Response, error) {
	if props["email"] != "" {
		return cr.ContactsService.Create(ctx, props)
	}
	w, hc, j := cr.w, cr.hc, cr.j
	anchors, err := w.cfg.Store.HubspotContactAnchors(ctx, j.c.Sync.WorkspaceID, j.c.Sync.CustomerID)
	if err != nil {
		return nil, nil, err
	}
	if len(anchors) > 0 {
		byNote, resp, err := hc.Notes.ContactIDsByNote(ctx, anchors)
		if err != nil {
			return nil, resp, err
		}
		var ids []string
		for _, a := range anchors {
			ids = append(ids, byNote[a]...)
		}
		slices.SortFunc(ids, compareIDs)
		for _, id := range ids {
			ct, resp, err := hc.Contacts.Get(ctx, id, propertiesOf(props))
			if errors.Is(err, hubspot.ErrNotFound) {
				continue
			} else if err != nil {
				return nil, resp, err
			}
			j.anchored = true
			w.cfg.Logger.InfoContext(ctx, "hubspot sync: found the contact an earlier create made through its note", "customer_id", j.c.Sync.CustomerID, "contact_id", ct.ID)
			return ct, resp, nil
		}
	}
	anchor := anchorOf(j.c)
	if anchor == "" {
		if err := w.lookupOwner(ctx, hc, j); err != nil {
			return nil, nil, err
		}
		m := j.markers[0]
		if err := w.saveAnchor(ctx, j, nil, []string{m}); err != nil {
			return nil, nil, err
		}
		n, resp, err := hc.Notes.Create(ctx, hubspot.NoteInput{Body: j.bodies[0], Timestamp: partTime(j.tr.ClosedAt, 0), OwnerID: j.ownerID})
		if err != nil {
			return nil, resp, err
		}
		if err := w.saveAnchor(ctx, j, []string{n.ID}, nil); err != nil {
			return nil, nil, err
		}
		anchor = n.ID
	}
	ct, resp, err := hc.Contacts.CreateWithNotes(ctx, props, []string{anchor})
	if err != nil {
		return nil, resp, err
	}
	j.anchored = true
	return ct, resp, nil
}

func propertiesOf(props map[string]string) []string {
	out := []string{"email", "phone", "mobilephone", "firstname", "lastname", "createdate"}
	for k := range props {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// saveAnchor records the record's first note written before any contact (or the create of it in flight).
func (w *Worker) saveAnchor(ctx context.Context, j *job, parts, pending []string) error {
	synced := 0
	if len(parts) > 0 {
		synced = j.c.Sync.CloseNumber
	}
	return w.cfg.Store.SaveHubspotSyncProgress(context.WithoutCancel(ctx), j.c, convrs.HubspotSyncProgress{
		Parts: parts, SyncedClose: synced, Pending: pending, LeaseFor: w.cfg.LeaseFor})
}

// settleAnchor, once the contact is known, keeps the record's anchor note when it is on that contact, and
// otherwise archives it (the contact came from elsewhere: a link, a match) so the part is written on the contact.
func (w *Worker) settleAnchor(ctx context.Context, hc *hubspot.Client, j *job) error {
	a := anchorOf(j.c)
	if a == "" {
		return nil
	}
	if !j.anchored {
		byNote, _, err := hc.Notes.ContactIDsByNote(ctx, []string{a})
		if err != nil {
			return err
		}
		if !slices.Contains(byNote[a], j.contact) {
			if _, err := hc.Notes.Archive(ctx, a); err != nil && !errors.Is(err, hubspot.ErrNotFound) {
				return err
			}
			return w.saveAnchor(ctx, j, nil, nil)
		}
	}
	// The note is on the contact: record it as the conversation's first part there.
	return w.cfg.Store.SaveHubspotSyncProgress(context.WithoutCancel(ctx), j.c, convrs.HubspotSyncProgress{ContactID: j.contact,
		Parts: j.c.Parts, SyncedClose: j.c.Sync.CloseNumber, LeaseFor: w.cfg.LeaseFor})
}
