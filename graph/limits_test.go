package graph_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/graph"
	"github.com/convrs/gateway/seed"
)

// fragmentBomb is a document whose fragments each spread the previous one twice: levels levels expand to
// 2^levels fields.
func fragmentBomb(levels int) string {
	var b strings.Builder
	b.WriteString("query { ...F" + fmt.Sprint(levels) + " }\nfragment F0 on Query { __typename }\n")
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i-1, i-1)
	}
	return b.String()
}

func aliases(n int, selection string) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, " a%d: %s", i, selection)
	}
	b.WriteString(" }")
	return b.String()
}

// Documents are refused by their shape before validation, with no token needed, and the refusal says why.
func TestDocumentLimits(t *testing.T) {
	s := newStack(t)
	anonymous := client.New(s.handler)
	for name, tc := range map[string]struct {
		query, message string
	}{
		"fragment bomb":              {fragmentBomb(26), "it selects 67108864 fields once its fragments are expanded, 1000 at most"},
		"fragment bomb of 11 levels": {fragmentBomb(11), "it selects 2048 fields once its fragments are expanded, 1000 at most"},
		"deep":                       {"{" + strings.Repeat(" __schema { types { fields { type { ofType {", 4) + " name" + strings.Repeat(" } } } } }", 4) + " }", "too deep: 21 levels, 15 at most"},
		"many aliases":               {aliases(201, "__typename"), "too many aliases: 201, 200 at most"},
		"too many tokens":            {aliases(8000, "__schema { types { name } }"), "more than 10000 tokens"},
	} {
		t.Run(name, func(t *testing.T) {
			e := do(t, anonymous, tc.query).wantError(t, graph.CodeQueryTooLarge, "")
			if !strings.Contains(e.Message, tc.message) {
				t.Errorf("message %q does not say %q", e.Message, tc.message)
			}
		})
	}
	// Just within the limits, a document passes them (and then needs a token like any other).
	do(t, anonymous, fragmentBomb(9)).decode(t, &struct{}{})
	do(t, anonymous, aliases(200, "__typename")).decode(t, &struct{}{})
	if r := do(t, anonymous, aliases(200, "me { id }")); len(r.Errors) != 200 || r.Errors[0].code() != convrs.EUNAUTHORIZED {
		t.Errorf("200 aliases of me without a token: %d errors, first %+v; want 200 EUNAUTHORIZED", len(r.Errors), r.Errors[0])
	}
	do(t, anonymous, fragmentBomb(60)).wantError(t, graph.CodeQueryTooLarge, "")
}

// Complexity multiplies by page sizes: 165 aliases of 200 conversations with their messages would load
// millions of rows; it is refused before any resolver runs, while what the console asks passes.
func TestComplexityCountsPageSizes(t *testing.T) {
	s := newStack(t)
	agent := s.as(t, seed.AgentID)
	for name, query := range map[string]string{
		"165 aliases":              aliases(165, "conversations(first: 200) { messages { text } }"),
		"one big page":             `{ conversations(first: 200) { messages { text } } }`,
		"pages set by variables":   `query($n: Int) { conversations(first: $n) { messages(last: $n) { text } } }`,
		"explicit null pages":      `{ a: conversations(first: null) { id } b: conversations(first: null) { id } c: conversations(first: null) { id } d: conversations(first: null) { id } e: conversations(first: null) { id } f: conversations(first: null) { id } }`,
		"introspection is counted": aliases(50, "__schema { types { fields { args { type { ofType { name } } } } } }"),
	} {
		t.Run(name, func(t *testing.T) {
			r := do(t, agent, query, "n", 200)
			e := r.wantError(t, graph.CodeQueryTooLarge, "")
			if !strings.Contains(e.Message, "The query is too complex") || !strings.Contains(e.Message, "5000 at most") {
				t.Errorf("message = %q", e.Message)
			}
			if string(r.Data) != "null" {
				t.Errorf("data = %s, want null: nothing ran", r.Data)
			}
		})
	}
	for _, query := range []string{
		`{ conversations(first: 50) { id channel subject status lastMessageAt customer { id name } assignedAgent { name } } }`,
		`query($id: ID!) { conversation(id: $id) { id customer { id name } messages { id author authorName text createdAt } } }`,
		aliases(4, "conversations(first: 5) { messages(last: 200) { text } }"),
	} {
		convID, _ := demoConversation(t, s)
		do(t, agent, query, "id", convID).decode(t, &struct{}{})
	}
}

// Introspection is for development: production refuses it (however it is aliased), development answers it.
func TestIntrospectionOnlyInDevelopment(t *testing.T) {
	prod, dev := newStackMode(t, false), newStackMode(t, true)
	for _, query := range []string{
		`{ __schema { queryType { name } } }`,
		`{ __type(name: "Query") { name } }`,
		`{ x: __schema { types { name } } }`,
		`query { ...F } fragment F on Query { __schema { types { name } } }`,
	} {
		for _, c := range []*client.Client{client.New(prod.handler), prod.as(t, seed.AdminID)} {
			e := do(t, c, query).wantError(t, convrs.EFORBIDDEN, "")
			if e.Message != "Introspection is available in development mode only." {
				t.Errorf("%s: message %q", query, e.Message)
			}
		}
		do(t, client.New(dev.handler), query).decode(t, &struct{}{})
	}
	// __typename is not introspection: clients such as urql add it everywhere.
	do(t, prod.as(t, seed.AgentID), `{ __typename me { __typename id } }`).decode(t, &struct{}{})
	// 8,000 aliases of __schema are refused in development too, before anything is resolved.
	do(t, client.New(dev.handler), aliases(8000, "__schema { types { name fields { name } } }")).wantError(t, graph.CodeQueryTooLarge, "")
}

// The standard introspection query of GraphQL tools fits the limits (development).
func TestStandardIntrospectionQueryFits(t *testing.T) {
	s := newStack(t)
	do(t, client.New(s.handler), introspectionQuery).decode(t, &struct{}{})
}

const introspectionQuery = `query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}`
