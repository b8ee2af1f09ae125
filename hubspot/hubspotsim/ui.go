package hubspotsim

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

var pages = template.Must(template.New("pages").Parse(`
{{define "top"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} | HubSpot (simulator)</title>
<style>
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f5f8fa;color:#33475b}
header{background:#ff7a59;color:#fff;padding:12px 24px;display:flex;align-items:center;gap:12px}
header a{color:#fff;text-decoration:none;font-weight:600}
header .tag{font-size:12px;background:rgba(255,255,255,.25);border-radius:3px;padding:2px 6px}
main{max-width:960px;margin:24px auto;padding:0 24px}
.card{background:#fff;border:1px solid #dfe3eb;border-radius:4px;padding:20px 24px;margin-bottom:16px}
.narrow{max-width:560px;margin:24px auto}
h1{font-size:22px;margin:0 0 12px}h2{font-size:17px;margin:0 0 12px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #eaf0f6;vertical-align:top}
.table-wrap{overflow-x:auto;max-width:100%;-webkit-overflow-scrolling:touch}
.list th,.list td{white-space:nowrap}
.props{table-layout:fixed}.props th{width:38%}.props th,.props td{overflow-wrap:anywhere}
.form-grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:12px 16px;margin-bottom:16px}
.field label{display:block;font-size:13px;font-weight:600;margin-bottom:4px}
.field input,.field select{box-sizing:border-box;width:100%;padding:8px;border:1px solid #cbd6e2;border-radius:3px;font-size:15px;background:#fff}
.notice{border-radius:3px;padding:10px 12px;margin-bottom:12px}.notice.ok{background:#e5f8f6;color:#00665c}.notice.err{background:#fde8e9;color:#a1161f}
@media (max-width:480px){main{padding:0 12px;margin:12px auto}.card{padding:14px 12px}th,td{padding:6px 4px}}
th{font-size:12px;text-transform:uppercase;color:#516f90}
fieldset{border:1px solid #dfe3eb;border-radius:4px;margin:0 0 16px;padding:12px 16px}
legend{font-weight:600;padding:0 4px}.opt{margin:6px 0}
.muted{color:#7c98b6;font-size:13px}
button{background:#ff7a59;color:#fff;border:0;border-radius:3px;padding:10px 18px;font-size:15px;font-weight:600;cursor:pointer}
.actions{display:flex;gap:16px;align-items:center}
a{color:#0091ae}
.note{border-left:3px solid #ff7a59;padding:8px 12px;margin:0 0 12px;background:#fff}
.note .meta{font-size:13px;color:#7c98b6;margin-bottom:6px}
.appcard td{min-width:72px}.appcard .preview{min-width:180px}.mine{font-size:12px;background:#e5f5f8;color:#00576b;border-radius:3px;padding:1px 5px}
a.button{display:inline-block;background:#ff7a59;color:#fff;border-radius:3px;padding:8px 16px;font-weight:600;text-decoration:none}
</style></head>
<body><header><a href="/">HubSpot</a><span class="tag">simulator</span></header>
{{end}}

{{define "bottom"}}</body></html>{{end}}

{{define "error"}}{{template "top" .}}<main><div class="card narrow"><h1>{{.Title}}</h1><p>{{.Body}}</p><p><a href="/">All portals</a></p></div></main>{{template "bottom" .}}{{end}}

{{define "consent"}}{{template "top" .}}{{with .Body}}<main><div class="card narrow">
<h1>Connect {{.AppName}} to HubSpot</h1>
<p>{{.AppName}} is requesting access to your HubSpot account.</p>
{{if .Portals}}<form method="post" action="{{.Action}}">
<input type="hidden" name="client_id" value="{{.ClientID}}">
<input type="hidden" name="redirect_uri" value="{{.RedirectURI}}">
<input type="hidden" name="state" value="{{.State}}">
<input type="hidden" name="requested_scope" value="{{.Required}}">
<input type="hidden" name="requested_optional_scope" value="{{.Optional}}">
<fieldset><legend>Choose an account</legend>
{{range .Portals}}<div class="opt"><input type="radio" name="portal_id" id="portal-{{.ID}}" value="{{.ID}}"{{if .Selected}} checked{{end}}>
<label for="portal-{{.ID}}">{{.Name}} <span class="muted">{{.ID}} · {{.Domain}}</span></label></div>
{{end}}</fieldset>
<fieldset><legend>{{.AppName}} will be able to use</legend>
{{range .Scopes}}<div class="opt"><input type="checkbox" name="scope" id="{{.ID}}" value="{{.Name}}" checked>
<label for="{{.ID}}">{{.Name}}{{if .Optional}} <span class="muted">(optional)</span>{{end}}</label></div>
{{end}}</fieldset>
<div class="actions"><button type="submit">Connect app</button><a href="{{.CancelURL}}">Cancel</a></div>
</form>
{{else}}<p>You don't have access to any HubSpot account.</p><p><a href="{{.CancelURL}}">Cancel</a></p>{{end}}
</div></main>{{end}}{{template "bottom" .}}{{end}}

{{define "index"}}{{template "top" .}}<main><h1>Portals</h1>
{{range .Body}}<div class="card"><h2>{{.Name}} <span class="muted">{{.ID}} · {{.UIDomain}}</span></h2>
{{if .Contacts}}<div class="table-wrap"><table class="list"><thead><tr><th>Name</th><th>Email</th><th>Phone</th><th>Lifecycle stage</th><th>Created</th></tr></thead><tbody>
{{range .Contacts}}<tr><td><a href="{{.URL}}">{{.Name}}</a></td><td>{{.Email}}</td><td>{{.Phone}}</td><td>{{.Stage}}</td><td>{{.Created}}</td></tr>
{{end}}</tbody></table></div>{{else}}<p class="muted">No contacts.</p>{{end}}</div>
{{else}}<div class="card"><p>No portals yet.</p></div>{{end}}</main>{{template "bottom" .}}{{end}}

{{define "contact"}}{{template "top" .}}{{with .Body}}<main>
<p><a href="/">All portals</a> › {{.PortalName}}</p>
<div class="card"><h1>{{.Name}}</h1>
{{if .Saved}}<p class="notice ok" role="status">Saved. Subscribed apps are notified by webhook.</p>{{end}}
{{if .Error}}<p class="notice err" role="alert">Not saved: {{.Error}}</p>{{end}}
<form method="post" action="{{.Action}}" aria-label="Edit contact">
<div class="form-grid">
<div class="field"><label for="firstname">First name</label><input id="firstname" name="firstname" value="{{.Form.firstname}}" autocomplete="off"></div>
<div class="field"><label for="lastname">Last name</label><input id="lastname" name="lastname" value="{{.Form.lastname}}" autocomplete="off"></div>
<div class="field"><label for="email">Email</label><input id="email" name="email" type="email" value="{{.Form.email}}" autocomplete="off"></div>
<div class="field"><label for="phone">Phone number</label><input id="phone" name="phone" type="tel" value="{{.Form.phone}}" autocomplete="off"></div>
<div class="field"><label for="mobilephone">Mobile phone number</label><input id="mobilephone" name="mobilephone" type="tel" value="{{.Form.mobilephone}}" autocomplete="off"></div>
<div class="field"><label for="lifecyclestage">Lifecycle stage</label><select id="lifecyclestage" name="lifecyclestage">
<option value="">(none)</option>
{{range .Stages}}<option value="{{.Value}}"{{if .Selected}} selected{{end}}>{{.Label}}</option>
{{end}}</select></div>
<div class="field"><label for="hubspot_owner_id">Contact owner</label><select id="hubspot_owner_id" name="hubspot_owner_id">
<option value="">No owner</option>
{{range .Owners}}<option value="{{.Value}}"{{if .Selected}} selected{{end}}>{{.Label}}</option>
{{end}}</select></div>
</div>
<button type="submit">Save</button>
</form></div>
{{with .Card}}<section class="card" aria-labelledby="appcard-title"><h2 id="appcard-title">Convrs</h2>
<p class="muted">App card · viewing as {{.Viewer}}</p>
{{if .Error}}<p class="notice err" role="alert">Convrs is unreachable right now: {{.Error}}.</p><p><a href="{{.Retry}}">Try again</a></p>
{{else if not .Answer.Connected}}<p>This HubSpot account is not connected to a Convrs workspace.</p>
{{else}}{{if .Answer.Conversations}}<div class="table-wrap"><table class="appcard" aria-label="Convrs conversations"><thead><tr><th>Channel</th><th>Status</th><th>Assigned to</th><th>Last message</th><th>Preview</th><th>Transcript</th><th><span class="muted">Link</span></th></tr></thead><tbody>
{{range .Answer.Conversations}}<tr><td>{{.ChannelLabel}}{{if .Workspace}} <span class="muted">{{.Workspace}}</span>{{end}}</td><td>{{if eq .Status "open"}}Open{{else}}Closed{{end}}</td><td>{{.AssignedAgent}}{{if .Mine}} <span class="mine">your chat</span>{{end}}</td><td>{{.LastMessageAt}}</td><td class="preview">{{.Preview}}</td><td>{{.Sync}}</td><td><a href="{{.OpenURL}}" target="_blank" rel="noopener">Open in Convrs</a></td></tr>
{{end}}</tbody></table></div>{{if .Answer.More}}<p class="muted">Older conversations are in Convrs.</p>{{end}}
{{else}}<p>No Convrs conversations yet.</p>{{end}}
{{if .Answer.StartChatURL}}<p><a class="button" href="{{.Answer.StartChatURL}}" target="_blank" rel="noopener">Start chat in Convrs</a></p>{{end}}
{{end}}</section>{{end}}
<div class="card"><h2>Properties</h2><div class="table-wrap"><table class="props"><tbody>
{{range .Props}}<tr><th scope="row">{{.Name}}</th><td>{{.Value}}</td></tr>
{{end}}</tbody></table></div></div>
<div class="card"><h2>Activity</h2>
{{range .Notes}}<article class="note"><div class="meta">Note · {{.When}}{{if .Owner}} · {{.Owner}}{{end}}</div><div class="body">{{.Body}}</div></article>
{{else}}<p class="muted">No activity yet.</p>{{end}}</div>
</main>{{end}}{{template "bottom" .}}{{end}}
`))

type pageData struct {
	Title string
	Body  any
}

func (s *Simulator) renderUI(w http.ResponseWriter, status int, name, title string, body any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, pageData{Title: title, Body: body}); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (s *Simulator) renderUIError(w http.ResponseWriter, status int, title, msg string) {
	s.renderUI(w, status, "error", title, msg)
}

type uiContactRow struct {
	URL, Name, Email, Phone, Stage, Created string
}

type uiPortal struct {
	ID       int64
	Name     string
	UIDomain string
	Contacts []uiContactRow
}

func contactName(props map[string]string) string {
	name := strings.TrimSpace(props["firstname"] + " " + props["lastname"])
	if name == "" {
		name = props["email"]
	}
	if name == "" {
		name = "Contact " + props["hs_object_id"]
	}
	return name
}

func contactURL(portalID int64, id string) string {
	return "/contacts/" + strconv.FormatInt(portalID, 10) + "/record/0-1/" + id
}

func (s *Simulator) handleUIIndex(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	var data []uiPortal
	for _, pid := range s.portalOrder {
		p := s.portals[pid]
		up := uiPortal{ID: pid, Name: p.info.Name, UIDomain: p.info.UIDomain}
		for _, cid := range p.contactOrder {
			rec := p.contacts[cid]
			if rec.archived {
				continue
			}
			phone := rec.props["phone"]
			if phone == "" {
				phone = rec.props["mobilephone"]
			}
			up.Contacts = append(up.Contacts, uiContactRow{
				URL:     contactURL(pid, cid),
				Name:    contactName(rec.props),
				Email:   rec.props["email"],
				Phone:   phone,
				Stage:   rec.props["lifecyclestage"],
				Created: rec.createdAt.UTC().Format("2 Jan 2006"),
			})
		}
		data = append(data, up)
	}
	s.mu.Unlock()
	s.renderUI(w, http.StatusOK, "index", "Portals", data)
}

type uiProp struct{ Name, Value string }

type uiNote struct {
	When  string
	Owner string
	Body  template.HTML
}

type uiContact struct {
	PortalName string
	Name       string
	Props      []uiProp
	Notes      []uiNote
	Action     string
	Form       map[string]string
	Stages     []uiOption
	Owners     []uiOption
	Saved      bool
	Error      string
	// Card is the installed app card's panel (nil without one).
	Card *uiAppCard
}

type uiOption struct {
	Value, Label string
	Selected     bool
}

// editableProps are the properties the contact page's form edits.
var editableProps = []string{"firstname", "lastname", "email", "phone", "mobilephone", "lifecyclestage", "hubspot_owner_id"}

func (s *Simulator) handleUIContact(w http.ResponseWriter, r *http.Request) {
	s.renderContactPage(w, r, http.StatusOK, nil, "")
}

// handleUIContactSave is the contact page's form: it changes the contact as a person in HubSpot does
// (validated, propertyChange webhooks with changeSource CRM_UI) and shows the page again.
func (s *Simulator) handleUIContactSave(w http.ResponseWriter, r *http.Request) {
	// The page has no login; refusing cross-site posts keeps other sites from editing the demo's contacts.
	if o := r.Header.Get("Origin"); o != "" && o != "null" && !sameHost(o, r.Host) {
		s.renderUIError(w, http.StatusForbidden, "Forbidden", "This form only accepts posts from its own page.")
		return
	}
	if err := r.ParseForm(); err != nil {
		s.renderUIError(w, http.StatusBadRequest, "Bad request", err.Error())
		return
	}
	portalID, err := strconv.ParseInt(r.PathValue("portalId"), 10, 64)
	if err != nil {
		s.renderUIError(w, http.StatusNotFound, "Portal not found", "There is no portal "+r.PathValue("portalId")+".")
		return
	}
	form := map[string]string{}
	for _, k := range editableProps {
		form[k] = strings.TrimSpace(r.PostForm.Get(k))
	}
	// Only what changed is written, so an untouched field never fires a webhook.
	c, ok := s.Contact(portalID, r.PathValue("contactId"))
	if !ok || c.Archived {
		s.renderContactPage(w, r, http.StatusNotFound, nil, "")
		return
	}
	changes := map[string]string{}
	for k, v := range form {
		if c.Properties[k] != v {
			changes[k] = v
		}
	}
	if len(changes) > 0 {
		if err := s.UpdateContact(portalID, c.ID, changes); err != nil {
			s.renderContactPage(w, r, http.StatusBadRequest, form, err.Error())
			return
		}
	}
	http.Redirect(w, r, contactURL(portalID, c.ID)+"?saved=1", http.StatusSeeOther)
}

func sameHost(origin, host string) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host == host
}

// renderContactPage shows a contact; form, when not nil, is what the person typed (kept after an error).
func (s *Simulator) renderContactPage(w http.ResponseWriter, r *http.Request, status int, form map[string]string, formErr string) {
	portalID, err := strconv.ParseInt(r.PathValue("portalId"), 10, 64)
	if err != nil {
		s.renderUIError(w, http.StatusNotFound, "Portal not found", "There is no portal "+r.PathValue("portalId")+".")
		return
	}
	requestInfoFrom(r.Context()).portalID = portalID
	cid := r.PathValue("contactId")
	s.mu.Lock()
	p := s.portals[portalID]
	if p == nil {
		s.mu.Unlock()
		s.renderUIError(w, http.StatusNotFound, "Portal not found", "There is no portal "+strconv.FormatInt(portalID, 10)+".")
		return
	}
	rec := p.contacts[cid]
	if rec != nil && rec.mergedInto != "" {
		if live := followMergesLocked(p, rec); live != nil {
			s.mu.Unlock()
			// HubSpot sends a merged-away record's page to the record it became.
			http.Redirect(w, r, contactURL(portalID, live.id), http.StatusFound)
			return
		}
	}
	if rec == nil || rec.archived {
		s.mu.Unlock()
		s.renderUIError(w, http.StatusNotFound, "Contact not found", "This contact doesn't exist or was deleted.")
		return
	}
	data := uiContact{PortalName: p.info.Name, Name: contactName(rec.props), Action: contactURL(portalID, cid),
		Saved: status == http.StatusOK && r.URL.Query().Get("saved") == "1", Error: formErr}
	if form == nil {
		form = map[string]string{}
		for _, k := range editableProps {
			form[k] = rec.props[k]
		}
	}
	data.Form = form
	for _, o := range p.stages {
		data.Stages = append(data.Stages, uiOption{Value: o.Value, Label: o.Label, Selected: o.Value == form["lifecyclestage"]})
	}
	if v := form["lifecyclestage"]; v != "" && !p.validStage(v) {
		// A stage that is no longer an option is shown as stored, as HubSpot does.
		data.Stages = append(data.Stages, uiOption{Value: v, Label: v, Selected: true})
	}
	for _, oid := range p.ownerOrder {
		o := p.owners[oid]
		if o.Deactivated && o.ID != form["hubspot_owner_id"] {
			continue
		}
		label := strings.TrimSpace(o.FirstName + " " + o.LastName)
		if o.Email != "" {
			label += " (" + o.Email + ")"
		}
		data.Owners = append(data.Owners, uiOption{Value: o.ID, Label: label, Selected: o.ID == form["hubspot_owner_id"]})
	}
	names := make([]string, 0, len(rec.props))
	for k := range rec.props {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		v := rec.props[k]
		if k == "hubspot_owner_id" {
			if o := p.owners[v]; o != nil {
				v += " (" + strings.TrimSpace(o.FirstName+" "+o.LastName) + ")"
			}
		}
		data.Props = append(data.Props, uiProp{Name: k, Value: v})
	}
	for _, n := range notesOfLocked(p, cid) {
		un := uiNote{When: n.Timestamp.UTC().Format("2 Jan 2006 15:04 UTC"), Body: template.HTML(sanitizeHTML(n.Body))}
		if o := p.owners[n.OwnerID]; o != nil {
			un.Owner = strings.TrimSpace(o.FirstName + " " + o.LastName)
		}
		data.Notes = append(data.Notes, un)
	}
	viewer := viewerLocked(p, r.URL.Query().Get("user"))
	s.mu.Unlock()
	data.Card = s.appCardPanel(r.Context(), portalID, cid, viewer, contactURL(portalID, cid))
	s.renderUI(w, status, "contact", data.Name, data)
}
