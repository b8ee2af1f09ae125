package graph

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/convrs/gateway/convrs"
)

// Limits bound what one GraphQL document may ask for. The shape limits (tokens, depth, fields, aliases) are
// checked on the parsed document before gqlgen validates it, because validation itself expands fragments and
// can be made exponential; Complexity is checked after validation, when argument values are known.
type Limits struct {
	// Tokens caps the lexer tokens of a document (the parser stops counting at the limit).
	Tokens int
	// Depth caps the nesting of selections, fragments expanded.
	Depth int
	// Fields caps the number of fields a document selects once every fragment spread is expanded.
	Fields int
	// Aliases caps the aliased fields, fragments expanded.
	Aliases int
	// Complexity caps the estimated number of objects an operation may load: every object field counts 1,
	// a list counts its page size (first/last, or ListEstimate) times its item's cost; scalars are free.
	Complexity int
	// ListEstimate is the item count assumed for a list field without a page-size argument.
	ListEstimate int
}

// DefaultLimits fit every query the console and widgets send with a wide margin; the standard introspection
// query of GraphQL tools also fits (development only).
var DefaultLimits = Limits{Tokens: 10000, Depth: 15, Fields: 1000, Aliases: 200, Complexity: 5000, ListEstimate: 5}

// ErrorCode values of the documents refused by the limits, besides EINVALID for malformed text.
const (
	// CodeQueryTooLarge is the extensions.code of a document refused for its shape or complexity.
	CodeQueryTooLarge = "EQUERYTOOLARGE"
)

func tooLarge(format string, args ...any) *gqlerror.Error {
	return &gqlerror.Error{Message: fmt.Sprintf(format, args...), Extensions: map[string]any{"code": CodeQueryTooLarge}}
}

// limitsExtension applies Limits, introspection policy, the per-document caps of HubSpot calls, the ID bounds
// and the text rules to every operation.
type limitsExtension struct {
	limits        Limits
	introspection bool
	schema        *ast.Schema
}

var (
	_ graphql.HandlerExtension          = (*limitsExtension)(nil)
	_ graphql.OperationParameterMutator = (*limitsExtension)(nil)
	_ graphql.OperationContextMutator   = (*limitsExtension)(nil)
)

func (*limitsExtension) ExtensionName() string { return "ConvrsLimits" }

// Validate keeps the schema, whose input types say which input fields are IDs.
func (e *limitsExtension) Validate(s graphql.ExecutableSchema) error {
	e.schema = s.Schema()
	return nil
}

// Per-document caps of the fields that call HubSpot: a document with 200 aliased searches used to start 200
// HubSpot searches, from one request.
var perDocument = map[string]int{
	"searchHubspotContacts": 1,
	"hubspotContact":        5,
}

// MaxIDLength bounds every ID argument, input fields included: Convrs IDs are about 25 characters.
const MaxIDLength = 64

// MutateOperationParameters refuses a document by its shape, before gqlgen parses and validates it. Parsing
// here is linear (and bounded by the token limit); a document that does not parse is left to gqlgen to report.
func (e *limitsExtension) MutateOperationParameters(_ context.Context, params *graphql.RawParams) *gqlerror.Error {
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, e.limits.Tokens)
	if err != nil {
		if strings.Contains(err.Error(), "token limit") {
			return tooLarge("The query is too large: more than %d tokens.", e.limits.Tokens)
		}
		return nil
	}
	return checkShape(doc, e.limits)
}

// MutateOperationContext runs after validation: introspection policy, complexity and the text of arguments.
func (e *limitsExtension) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	op := opCtx.Operation
	if op == nil {
		return nil
	}
	w := &costWalker{vars: opCtx.Variables, listEstimate: e.limits.ListEstimate, memo: map[string]int{}}
	cost := w.selectionSet(op.SelectionSet)
	if !e.introspection && w.introspection {
		return &gqlerror.Error{Message: "Introspection is available in development mode only.", Extensions: map[string]any{"code": convrs.EFORBIDDEN}}
	}
	if cost > e.limits.Complexity {
		return tooLarge("The query is too complex: it may load %d objects, %d at most. Ask for smaller pages (first/last).", cost, e.limits.Complexity)
	}
	if err := checkPerDocument(op); err != nil {
		return err
	}
	if err := e.checkIDs(op, opCtx.Variables); err != nil {
		return err
	}
	return checkArgumentText(op, opCtx.Variables)
}

// checkPerDocument refuses an operation that runs a HubSpot field more often than perDocument allows. Fields
// are counted by response key (alias), as gqlgen runs them: a repeated identical selection runs once.
func checkPerDocument(op *ast.OperationDefinition) *gqlerror.Error {
	keys := map[string]map[string]bool{}
	// Root fields only: these are Query fields.
	eachField(op.SelectionSet, false, func(f *ast.Field) {
		if _, ok := perDocument[f.Name]; ok {
			if keys[f.Name] == nil {
				keys[f.Name] = map[string]bool{}
			}
			keys[f.Name][cmp.Or(f.Alias, f.Name)] = true
		}
	})
	for name, most := range perDocument {
		if n := len(keys[name]); n > most {
			return tooLarge("A query may run %s %d time(s) at most; this one runs it %d times. Send one at a time.", name, most, n)
		}
	}
	return nil
}

// eachField calls fn for every field of set, expanding inline fragments and each named fragment once; deep
// also descends into the fields' own selection sets.
func eachField(set ast.SelectionSet, deep bool, fn func(*ast.Field)) {
	seen := map[string]bool{}
	var walk func(set ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch sel := sel.(type) {
			case *ast.Field:
				fn(sel)
				if deep {
					walk(sel.SelectionSet)
				}
			case *ast.InlineFragment:
				walk(sel.SelectionSet)
			case *ast.FragmentSpread:
				if !seen[sel.Name] && sel.Definition != nil {
					seen[sel.Name] = true
					walk(sel.Definition.SelectionSet)
				}
			}
		}
	}
	walk(set)
}

// checkIDs refuses an ID argument (or ID input field) longer than MaxIDLength, before a resolver, the
// database or pub/sub sees it.
func (e *limitsExtension) checkIDs(op *ast.OperationDefinition, vars map[string]any) *gqlerror.Error {
	var bad string
	var value func(name string, t *ast.Type, v any)
	value = func(name string, t *ast.Type, v any) {
		if t == nil || v == nil || bad != "" {
			return
		}
		if t.Elem != nil {
			if list, ok := v.([]any); ok {
				for _, item := range list {
					value(name, t.Elem, item)
				}
			} else {
				value(name, t.Elem, v) // a single value given for a list
			}
			return
		}
		if t.NamedType == "ID" {
			if s, ok := v.(string); ok && len(s) > MaxIDLength {
				bad = name
			}
			return
		}
		obj, ok := v.(map[string]any)
		if !ok || e.schema == nil {
			return
		}
		if def := e.schema.Types[t.NamedType]; def != nil && def.Kind == ast.InputObject {
			for _, f := range def.Fields {
				value(f.Name, f.Type, obj[f.Name])
			}
		}
	}
	eachField(op.SelectionSet, true, func(f *ast.Field) {
		if bad != "" || f.Definition == nil || len(f.Arguments) == 0 {
			return
		}
		args := f.ArgumentMap(vars)
		for _, a := range f.Definition.Arguments {
			value(a.Name, a.Type, args[a.Name])
		}
	})
	if bad == "" {
		return nil
	}
	return &gqlerror.Error{
		Message:    fmt.Sprintf("The ID is too long: %d characters at most.", MaxIDLength),
		Extensions: map[string]any{"code": convrs.EINVALID, "field": bad},
	}
}

// shape is what a selection set expands to.
type shape struct{ fields, aliases, depth int }

func sat(a, b int) int {
	if a > math.MaxInt32 || b > math.MaxInt32 || a+b > math.MaxInt32 {
		return math.MaxInt32
	}
	return a + b
}

// shapeWalker expands fragment spreads with memoisation: each fragment is measured once however often it is
// spread, so a document whose fragments double at every level is measured in linear time.
type shapeWalker struct {
	fragments map[string]*ast.FragmentDefinition
	memo      map[string]shape
	visiting  map[string]bool
}

func (w *shapeWalker) fragment(name string) shape {
	if s, ok := w.memo[name]; ok {
		return s
	}
	def := w.fragments[name]
	if def == nil || w.visiting[name] {
		return shape{} // unknown fragments and cycles are validation errors gqlgen reports
	}
	w.visiting[name] = true
	s := w.selectionSet(def.SelectionSet)
	delete(w.visiting, name)
	w.memo[name] = s
	return s
}

func (w *shapeWalker) selectionSet(set ast.SelectionSet) shape {
	var out shape
	for _, sel := range set {
		var s shape
		switch sel := sel.(type) {
		case *ast.Field:
			sub := w.selectionSet(sel.SelectionSet)
			s = shape{fields: sat(1, sub.fields), aliases: sub.aliases, depth: sub.depth + 1}
			if sel.Alias != "" && sel.Alias != sel.Name {
				s.aliases = sat(s.aliases, 1)
			}
		case *ast.FragmentSpread:
			s = w.fragment(sel.Name)
		case *ast.InlineFragment:
			s = w.selectionSet(sel.SelectionSet)
		}
		out.fields, out.aliases = sat(out.fields, s.fields), sat(out.aliases, s.aliases)
		out.depth = max(out.depth, s.depth)
	}
	return out
}

func checkShape(doc *ast.QueryDocument, l Limits) *gqlerror.Error {
	w := &shapeWalker{fragments: map[string]*ast.FragmentDefinition{}, memo: map[string]shape{}, visiting: map[string]bool{}}
	for _, f := range doc.Fragments {
		if _, dup := w.fragments[f.Name]; !dup {
			w.fragments[f.Name] = f
		}
	}
	// Fragments are measured even when unused: validation walks every definition.
	sets := make([]shape, 0, len(doc.Operations)+len(doc.Fragments))
	for _, op := range doc.Operations {
		sets = append(sets, w.selectionSet(op.SelectionSet))
	}
	for _, f := range doc.Fragments {
		sets = append(sets, w.fragment(f.Name))
	}
	for _, s := range sets {
		switch {
		case s.depth > l.Depth:
			return tooLarge("The query is too deep: %d levels, %d at most.", s.depth, l.Depth)
		case s.fields > l.Fields:
			return tooLarge("The query is too large: it selects %s fields once its fragments are expanded, %d at most.", count(s.fields), l.Fields)
		case s.aliases > l.Aliases:
			return tooLarge("The query uses too many aliases: %s, %d at most.", count(s.aliases), l.Aliases)
		}
	}
	return nil
}

func count(n int) string {
	if n >= math.MaxInt32 {
		return "billions of"
	}
	return fmt.Sprint(n)
}

// costWalker estimates how many objects an operation may load. Unlike gqlgen's complexity walk it counts
// introspection fields, multiplies lists by their page size and measures each fragment once.
type costWalker struct {
	vars          map[string]any
	listEstimate  int
	memo          map[string]int
	introspection bool
}

func (w *costWalker) selectionSet(set ast.SelectionSet) int {
	total := 0
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			total = sat(total, w.field(sel))
		case *ast.FragmentSpread:
			c, ok := w.memo[sel.Name]
			if !ok && sel.Definition != nil {
				c = w.selectionSet(sel.Definition.SelectionSet)
				w.memo[sel.Name] = c
			}
			total = sat(total, c)
		case *ast.InlineFragment:
			total = sat(total, w.selectionSet(sel.SelectionSet))
		}
	}
	return total
}

func (w *costWalker) field(f *ast.Field) int {
	if f.Name == "__schema" || f.Name == "__type" {
		w.introspection = true
	}
	if f.Definition == nil || f.Definition.Type == nil || len(f.SelectionSet) == 0 {
		return 0 // scalars, enums and __typename are read with their object
	}
	item := sat(1, w.selectionSet(f.SelectionSet))
	if f.Definition.Type.Elem == nil {
		return item
	}
	n := w.listEstimate
	args := f.ArgumentMap(w.vars)
	for _, name := range []string{"first", "last"} {
		if f.Definition.Arguments.ForName(name) == nil {
			continue
		}
		// An explicit null takes the resolver's own default: assume the largest page any list allows.
		n = nullPageEstimate
		if v := args[name]; v != nil {
			n = pageSize(v)
		}
	}
	if n <= 0 {
		n = 1
	}
	if item > math.MaxInt32/n {
		return math.MaxInt32
	}
	return n * item
}

// nullPageEstimate is the page size assumed for first/last: null (convrs.MaxMessagePage, the largest).
const nullPageEstimate = convrs.MaxMessagePage

func pageSize(v any) int {
	switch v := v.(type) {
	case int:
		return v
	case int64:
		return int(min(v, math.MaxInt32))
	case float64:
		return int(min(v, math.MaxInt32))
	}
	return 1
}

// checkArgumentText refuses a NUL character or invalid UTF-8 in any string an operation carries, in its
// literals or its variables, whatever field it is for: such text is never meant, and PostgreSQL cannot store
// or compare it.
func checkArgumentText(op *ast.OperationDefinition, vars map[string]any) *gqlerror.Error {
	var bad string
	var visitValue func(name string, v *ast.Value)
	visitValue = func(name string, v *ast.Value) {
		if v == nil || bad != "" {
			return
		}
		switch v.Kind {
		case ast.StringValue, ast.BlockValue:
			if !textOK(v.Raw) {
				bad = name
			}
		case ast.ListValue:
			for _, c := range v.Children {
				visitValue(name, c.Value)
			}
		case ast.ObjectValue:
			for _, c := range v.Children {
				visitValue(c.Name, c.Value)
			}
		}
	}
	var visitSet func(set ast.SelectionSet)
	visitSet = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch sel := sel.(type) {
			case *ast.Field:
				for _, a := range sel.Arguments {
					visitValue(a.Name, a.Value)
				}
				visitSet(sel.SelectionSet)
			case *ast.InlineFragment:
				visitSet(sel.SelectionSet)
			}
		}
	}
	visitSet(op.SelectionSet)
	for name, v := range vars {
		if bad == "" {
			visitVariable(name, v, &bad)
		}
	}
	// Fragments' literals are checked where they are defined: a spread's arguments are the fragment's.
	if bad == "" {
		seen := map[string]bool{}
		var visitSpreads func(set ast.SelectionSet)
		visitSpreads = func(set ast.SelectionSet) {
			for _, sel := range set {
				switch sel := sel.(type) {
				case *ast.Field:
					visitSpreads(sel.SelectionSet)
				case *ast.InlineFragment:
					visitSpreads(sel.SelectionSet)
				case *ast.FragmentSpread:
					if !seen[sel.Name] && sel.Definition != nil {
						seen[sel.Name] = true
						visitSet(sel.Definition.SelectionSet)
						visitSpreads(sel.Definition.SelectionSet)
					}
				}
			}
		}
		visitSpreads(op.SelectionSet)
	}
	if bad == "" {
		return nil
	}
	return &gqlerror.Error{
		Message:    "The text contains a NUL character or invalid UTF-8, which is not allowed.",
		Extensions: map[string]any{"code": convrs.EINVALID, "field": bad},
	}
}

func visitVariable(name string, v any, bad *string) {
	switch v := v.(type) {
	case string:
		if !textOK(v) {
			*bad = name
		}
	case []any:
		for _, c := range v {
			visitVariable(name, c, bad)
		}
	case map[string]any:
		for k, c := range v {
			if *bad == "" {
				visitVariable(k, c, bad)
			}
		}
	}
}

func textOK(s string) bool { return !strings.ContainsRune(s, 0) && utf8.ValidString(s) }
