// Package graph is the GraphQL layer: gqlgen's generated executor and thin resolvers that call the domain
// services. Resolver is the one place dependencies are injected.
package graph

import (
	"log/slog"

	"github.com/convrs/gateway/convrs"
)

//go:generate go tool gqlgen generate

// Resolver holds the services the resolvers call. It never holds a database handle.
type Resolver struct {
	WorkspaceService    convrs.WorkspaceService
	StaffService        convrs.StaffService
	CustomerService     convrs.CustomerService
	ConversationService convrs.ConversationService
	HubspotService      convrs.HubspotIntegrationService
	HubspotSyncService  convrs.HubspotSyncService
	// HubspotContactService serves the agent's HubSpot card and outbound search.
	HubspotContactService convrs.HubspotContactService
	// HubspotLinkService lets agents choose, change and undo a customer's contact, and serves a conversation's card.
	HubspotLinkService convrs.HubspotLinkService
	PubSub             convrs.PubSub
	// Limiter paces each staff member's HubSpot searches (SearchesPerStaff); nil leaves them unpaced.
	Limiter convrs.Limiter
	Logger  *slog.Logger
	// Demo enables what only the demo console may do: posting as a customer.
	Demo bool

	events        eventLoaderSet
	conversations conversationFeed
}
