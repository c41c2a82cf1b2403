package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// A tiny recursive schema; execution is mocked because the limits act
// before any resolver would run.
var limitsSchema = gqlparser.MustLoadSchema(&ast.Source{Input: `
	type Query { node: Node, name: String }
	type Node { id: ID!, child: Node, children: [Node!]! }
`})

// limitsServer is apnet's error presenter and POST transport over the mock
// schema, with the given extensions.
func limitsServer(exts ...graphql.HandlerExtension) *handler.Server {
	h := handler.New(&graphql.ExecutableSchemaMock{
		SchemaFunc: func() *ast.Schema { return limitsSchema },
		ExecFunc: func(ctx context.Context) graphql.ResponseHandler {
			return graphql.OneShot(&graphql.Response{Data: []byte(`{"executed":true}`)})
		},
		ComplexityFunc: func(context.Context, string, string, int, map[string]any) (int, bool) {
			return 0, false // gqlgen's default: 1 + children
		},
	})
	h.AddTransport(transport.POST{})
	h.SetErrorPresenter(presentError(slog.New(slog.NewTextHandler(io.Discard, nil))))
	for _, e := range exts {
		h.Use(e)
	}
	return h
}

type gqlResult struct {
	status int
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func post(t *testing.T, h http.Handler, query, opName string) gqlResult {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "operationName": opName})
	req := httptest.NewRequest(http.MethodPost, "/query", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var r gqlResult
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		t.Fatalf("decoding %q: %v", rec.Body.String(), err)
	}
	r.status = rec.Code
	return r
}

func wantOK(t *testing.T, r gqlResult) {
	t.Helper()
	if len(r.Errors) != 0 || string(r.Data) != `{"executed":true}` {
		t.Fatalf("want execution, got %d %+v data=%s", r.status, r.Errors, r.Data)
	}
}

func wantError(t *testing.T, r gqlResult, code, message string) {
	t.Helper()
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != code || r.Errors[0].Message != message {
		t.Fatalf("want %s %q, got %d %+v", code, message, r.status, r.Errors)
	}
	if string(r.Data) == `{"executed":true}` {
		t.Fatal("operation executed despite the error")
	}
}

func TestDepthLimit(t *testing.T) {
	h := limitsServer(DepthLimit{Max: 3}, extension.Introspection{})
	over := func(n int) string { return fmt.Sprintf("query is nested %d levels deep; the limit is 3", n) }

	for name, q := range map[string]string{
		"depth 1":                 `{ name }`,
		"depth 3":                 `{ node { child { id } } }`,
		"siblings do not add":     `{ node { id child { id } children { id } } a: node { child { id } } }`,
		"__typename adds nothing": `{ node { child { child { __typename } } } __typename }`,
		"fragment at the limit": `query { node { ...F } }
			fragment F on Node { child { id } }`,
		"only the chosen operation counts": `query Shallow { node { id } }
			query Deep { node { child { child { child { id } } } } }`,
		// GraphiQL's schema query nests ofType far past 3; introspection is
		// bounded by its own rule instead.
		"introspection ignored": `{ __schema { queryType { name } types { name kind fields(includeDeprecated: true) {
			name type { ...TypeRef } } } } }
			fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType {
			kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }`,
	} {
		t.Run(name, func(t *testing.T) {
			op := ""
			if strings.Contains(q, "Shallow") {
				op = "Shallow"
			}
			wantOK(t, post(t, h, q, op))
		})
	}

	for name, tc := range map[string]struct {
		q     string
		depth int
	}{
		"depth 4":       {`{ node { child { child { id } } } }`, 4},
		"deep sibling":  {`{ name node { id child { id } children { child { child { id } } } } }`, 5},
		"chosen op":     {`query Shallow { node { id } } query Deep { node { child { child { child { id } } } } }`, 5},
		"inline":        {`{ node { ... on Node { child { ... { child { id } } } } } }`, 4},
		"nested frags":  {"{ node { ...A } }\nfragment A on Node { child { ...B } }\nfragment B on Node { child { id } }", 4},
		"frag reused":   {"{ node { ...A child { ...A } } }\nfragment A on Node { child { id } }", 4},
		"typename deep": {`{ node { child { child { child { __typename } } } } }`, 4},
	} {
		t.Run(name, func(t *testing.T) {
			op := ""
			if name == "chosen op" {
				op = "Deep"
			}
			r := post(t, h, tc.q, op)
			wantError(t, r, "BAD_USER_INPUT", over(tc.depth))
			if r.status != http.StatusOK {
				t.Errorf("status = %d; gqlgen sends 200 for codes it does not register as protocol errors", r.status)
			}
		})
	}

	t.Run("fragment cycle is a validation error", func(t *testing.T) {
		r := post(t, h, "{ node { ...A } }\nfragment A on Node { child { ...B } }\nfragment B on Node { ...A }", "")
		if len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "GRAPHQL_VALIDATION_FAILED" {
			t.Fatalf("got %d %+v", r.status, r.Errors)
		}
	})
}

func TestDepthLimitValidate(t *testing.T) {
	if err := (DepthLimit{}).Validate(nil); err == nil {
		t.Fatal("Max 0 accepted")
	}
	if err := (DepthLimit{Max: 1}).Validate(nil); err != nil {
		t.Fatal(err)
	}
	// Value and pointer both satisfy gqlgen's interfaces.
	limitsServer(DepthLimit{Max: 1}, &DepthLimit{Max: 1})
}

// operationDepth must terminate and stay linear on documents validation
// would reject, since it must not rely on validation having run.
func TestOperationDepthGuards(t *testing.T) {
	parse := func(q string) *ast.QueryDocument {
		t.Helper()
		doc, err := parser.ParseQuery(&ast.Source{Input: q})
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}

	doc := parse("{ node { ...A } }\nfragment A on Node { child { ...B } }\nfragment B on Node { ...A }")
	if d, cyclic := operationDepth(doc, doc.Operations[0]); !cyclic || d != 2 {
		t.Fatalf("cycle: depth %d cyclic %v", d, cyclic)
	}
	self := parse("{ ...S }\nfragment S on Query { ...S }")
	if _, cyclic := operationDepth(self, self.Operations[0]); !cyclic {
		t.Fatal("self-spread not reported as a cycle")
	}
	missing := parse("{ node { ...Nowhere } }")
	if d, cyclic := operationDepth(missing, missing.Operations[0]); cyclic || d != 1 {
		t.Fatalf("missing fragment: depth %d cyclic %v", d, cyclic)
	}

	// 40 fragments each spreading the next twice: 2^40 paths unmemoized.
	var b strings.Builder
	b.WriteString("{ node { ...F0 } }\n")
	for i := range 40 {
		fmt.Fprintf(&b, "fragment F%d on Node { a: child { ...F%d } b: child { ...F%d } }\n", i, i+1, i+1)
	}
	b.WriteString("fragment F40 on Node { id }\n")
	wide := parse(b.String())
	// Unmemoized this would never finish; finishing at all is the check.
	if d, cyclic := operationDepth(wide, wide.Operations[0]); cyclic || d != 42 {
		t.Fatalf("fan-out: depth %d cyclic %v", d, cyclic)
	}

	cyc := parse("{ ...A }\nfragment A on Query { node { ...B } }\nfragment B on Node { child { ...A } }")
	r := DepthLimit{Max: 100}.MutateOperationContext(context.Background(),
		&graphql.OperationContext{Doc: cyc, Operation: cyc.Operations[0]})
	if r == nil || r.Extensions["code"] != "BAD_USER_INPUT" {
		t.Fatalf("cycle through fields: %v", r)
	}
}

// Pins how gqlgen's FixedComplexityLimit reports through apnet's presenter:
// gqlgen's message under apnet's BAD_USER_INPUT code, HTTP 200, no execution.
func TestFixedComplexityLimitReporting(t *testing.T) {
	h := limitsServer(extension.FixedComplexityLimit(2))
	wantOK(t, post(t, h, `{ node { id } }`, ""))
	r := post(t, h, `{ node { child { id } } }`, "")
	wantError(t, r, "BAD_USER_INPUT", "operation has complexity 3, which exceeds the limit of 2")
	if r.status != http.StatusOK {
		t.Errorf("status = %d", r.status)
	}
}
