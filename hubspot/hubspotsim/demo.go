package hubspotsim

import "time"

// Demo portal IDs and owner IDs seeded by SeedDemo.
const (
	DemoPortalID    int64 = 24681357
	DemoEUPortalID  int64 = 13572468
	DemoUserEmail         = "owner@acme-hubspot.test"
	DemoOwnerOlivia       = "41629779"
	DemoOwnerMarcus       = "41629780"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 9, 30, 0, 0, time.UTC) }

// SeedDemo creates the demo portals, owners and contacts. They overlap the product's demo customers on purpose:
// matches by email (also differing in case), by phone in several formats, a duplicate email where the older
// contact is the right match, and outbound-only prospects.
func (s *Simulator) SeedDemo() {
	s.CreatePortal(PortalSpec{
		ID: DemoPortalID, Name: "Acme Corp (demo)", UserEmail: DemoUserEmail, Country: "GB",
		Users: []string{"olivia@acme-hubspot.test", "marcus@acme-hubspot.test"},
	})
	s.SeedOwner(DemoPortalID, Owner{ID: DemoOwnerOlivia, Email: "olivia@acme-hubspot.test", FirstName: "Olivia", LastName: "Owens",
		UserID: 9586504, CreatedAt: day(2020, time.January, 6),
		Teams: []Team{{ID: "6109251", Name: "Customer Success", Primary: true}, {ID: "6109252", Name: "EMEA"}}})
	s.SeedOwner(DemoPortalID, Owner{ID: DemoOwnerMarcus, Email: "marcus@acme-hubspot.test", FirstName: "Marcus", LastName: "Lee",
		UserID: 9586505, CreatedAt: day(2020, time.February, 3),
		Teams: []Team{{ID: "6109253", Name: "Sales", Primary: true}}})

	type seed struct {
		created time.Time
		props   map[string]string
	}
	for _, c := range []seed{
		{day(2021, time.March, 1), map[string]string{"firstname": "Bob", "lastname": "Smith", "email": "bob@example.com",
			"lifecyclestage": "lead", "hubspot_owner_id": DemoOwnerMarcus}},
		{day(2022, time.January, 14), map[string]string{"firstname": "Alice", "lastname": "Johnson", "email": "alice@example.com",
			"phone": "+447911123456", "lifecyclestage": "customer", "hubspot_owner_id": DemoOwnerOlivia, "company": "Johnson Logistics"}},
		{day(2022, time.May, 17), map[string]string{"firstname": "Frank", "lastname": "Müller", "email": "FRANK@example.de",
			"lifecyclestage": "evangelist", "company": "Müller GmbH"}},
		// Form import without an email.
		{day(2022, time.September, 5), map[string]string{"firstname": "Carla", "lastname": "Gomez",
			"mobilephone": "+447700900123", "lifecyclestage": "subscriber"}},
		{day(2023, time.February, 20), map[string]string{"firstname": "Dev", "lastname": "Patel",
			"phone": "+1 415 555 0134", "lifecyclestage": "opportunity", "hubspot_owner_id": DemoOwnerOlivia, "company": "Patel Ventures"}},
		// The duplicate: HubSpot's API forbids a second contact with this primary email, an import does not.
		{day(2023, time.June, 10), map[string]string{"firstname": "Robert", "lastname": "Smith", "email": "bob@example.com",
			"lifecyclestage": "subscriber"}},
		// Stored without a country code, read in the portal's country (GB).
		{day(2023, time.November, 2), map[string]string{"firstname": "Hana", "lastname": "Sato", "email": "hana@example.jp",
			"phone": "020 7946 0958", "lifecyclestage": "marketingqualifiedlead", "hubspot_owner_id": DemoOwnerMarcus}},
		// Outbound-only prospects.
		{day(2024, time.January, 8), map[string]string{"firstname": "Grace", "lastname": "Hopper", "email": "grace@navy.test",
			"phone": "+12025550199", "lifecyclestage": "salesqualifiedlead", "hubspot_owner_id": DemoOwnerMarcus, "company": "US Navy"}},
		{day(2024, time.February, 12), map[string]string{"firstname": "Henry", "lastname": "Ford", "email": "henry@ford.test",
			"lifecyclestage": "lead", "company": "Ford Motor Company"}},
		{day(2024, time.March, 19), map[string]string{"firstname": "Ingrid", "lastname": "Berg", "email": "ingrid@example.se",
			"phone": "+46701234567", "lifecyclestage": "partner", "hubspot_owner_id": DemoOwnerOlivia}},
		{day(2024, time.April, 22), map[string]string{"firstname": "Jack", "lastname": "Brown", "email": "jack.brown@example.com",
			"lifecyclestage": "lead"}},
		{day(2024, time.May, 30), map[string]string{"firstname": "Jacqueline", "lastname": "Brown", "email": "jackie@example.com",
			"lifecyclestage": "customer", "hubspot_owner_id": DemoOwnerOlivia}},
	} {
		s.SeedContact(DemoPortalID, c.props, c.created)
	}

	s.CreatePortal(PortalSpec{ID: DemoEUPortalID, Name: "Acme EU (demo)", UIDomain: "app-eu1.hubspot.com",
		UserEmail: DemoUserEmail, Country: "DE"})
	s.SeedOwner(DemoEUPortalID, Owner{ID: "52840011", Email: "elena@acme-hubspot.test", FirstName: "Elena", LastName: "Rossi",
		UserID: 9586611, CreatedAt: day(2021, time.April, 12)})
	s.SeedContact(DemoEUPortalID, map[string]string{"firstname": "Alice", "lastname": "Johnson", "email": "alice@example.com",
		"phone": "+447911123456", "lifecyclestage": "lead", "hubspot_owner_id": "52840011"}, day(2023, time.March, 3))
	s.SeedContact(DemoEUPortalID, map[string]string{"firstname": "Lena", "lastname": "Fischer", "email": "lena@example.de",
		"mobilephone": "+4915112345678", "lifecyclestage": "customer", "hubspot_owner_id": "52840011"}, day(2023, time.August, 21))
}
