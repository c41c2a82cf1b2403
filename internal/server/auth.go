package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/internal/access"
	"github.com/apnet/apnet/internal/apierr"
	"github.com/apnet/apnet/internal/audit"
	"github.com/apnet/apnet/internal/viewer"
)

// closeUnauthorized is graphql-transport-ws's close code for a refused connection_init.
const closeUnauthorized = 4401

type authErrKey struct{}

// authenticate puts the request's viewer in its context: the bearer token's,
// or the unauthenticated viewer (with the reason kept, so the operation gate
// can say why a token was not accepted). Websockets authenticate in
// connection_init instead.
func authenticate(a Authenticator, trustProxy bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := viewer.Viewer{Address: clientAddress(r, trustProxy)}
		ctx := viewer.NewContext(r.Context(), v)
		if token, ok := bearer(r.Header.Get("Authorization")); ok && a != nil {
			authed, err := a.Authenticate(ctx, token)
			if err != nil {
				ctx = context.WithValue(ctx, authErrKey{}, err)
			} else {
				ctx = viewer.NewContext(ctx, authed)
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func bearer(h string) (string, bool) {
	const prefix = "bearer "
	if len(h) > len(prefix) && strings.EqualFold(h[:len(prefix)], prefix) {
		return strings.TrimSpace(h[len(prefix):]), true
	}
	return "", false
}

// clientAddress is the client's IP: what the audit trail and sign-in
// throttling key on. Behind apnet's load balancer the peer is the balancer,
// which puts the real peer in X-Real-IP (overwriting any the client sent).
func clientAddress(r *http.Request, trustProxy bool) string {
	if ip := strings.TrimSpace(r.Header.Get("X-Real-IP")); trustProxy && ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// websocketInit authenticates a websocket from its connection_init payload
// ({"authorization": "Bearer …"}, or {"token": "…"}); a missing or invalid
// token closes the socket with 4401 Unauthorized.
func websocketInit(a Authenticator) transport.WebsocketInitFunc {
	return func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		token, ok := bearer(p.Authorization())
		if !ok {
			token = p.GetString("token")
		}
		if a == nil || token == "" {
			return transport.WithWebsocketCloseCode(ctx, closeUnauthorized), nil,
				errors.New("sign in first: send the token in connection_init as {\"authorization\": \"Bearer <token>\"}")
		}
		v, err := a.Authenticate(ctx, token)
		if err != nil {
			return transport.WithWebsocketCloseCode(ctx, closeUnauthorized), nil, err
		}
		ctx = viewer.NewContext(ctx, v)
		return a.Track(ctx, v.SessionID), nil, nil
	}
}

// checkOperation refuses the whole operation when any of its root fields is
// not open to the viewer's role (internal/access.Operations).
func checkOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	typ := map[ast.Operation]string{ast.Query: "Query", ast.Mutation: "Mutation", ast.Subscription: "Subscription"}[oc.Operation.Operation]
	v := viewer.FromContext(ctx)
	for _, f := range graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{typ}) {
		if strings.HasPrefix(f.Name, "__") {
			continue // introspection (when enabled) describes the schema, not data
		}
		if err := access.CheckOperation(v, typ+"."+f.Name); err != nil {
			if authErr, ok := ctx.Value(authErrKey{}).(error); ok && !v.Authenticated() {
				err = authErr
			}
			msg, code := err.Error(), "INTERNAL_SERVER_ERROR"
			if e, ok := apierr.As(err); ok {
				msg, code = e.Message, string(e.Code)
			} else {
				msg = "the sign-in token could not be checked; try again"
			}
			return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{
				Message:    msg,
				Path:       ast.Path{ast.PathName(f.Alias)},
				Extensions: map[string]any{"code": code},
			}}})
		}
	}
	return next(ctx)
}

// auditReads writes the special-category reads of each response to the
// audit trail; a response whose reads cannot be recorded is not sent.
// Shared subscription executions (internal/fanout) collect the reads
// themselves and flush them per member through flushReads.
func auditReads(client *ent.Client, log *slog.Logger) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		if audit.Collecting(ctx) {
			return next(ctx)
		}
		ctx, reads := audit.WithReads(ctx)
		resp := next(ctx)
		if resp == nil {
			return nil
		}
		return flushReads(client, log)(ctx, resp, reads.Take())
	}
}

// flushReads records reads under ctx's viewer and returns resp, or an error
// in its place when they cannot be recorded.
func flushReads(client *ent.Client, log *slog.Logger) func(context.Context, *graphql.Response, audit.ReadSet) *graphql.Response {
	return func(ctx context.Context, resp *graphql.Response, reads audit.ReadSet) *graphql.Response {
		if len(reads) == 0 {
			return resp // the usual case, and per subscriber per event: skip the viewer lookup
		}
		if err := reads.Flush(ctx, client); err != nil {
			log.Error("audit special-category reads", "user_id", viewer.FromContext(ctx).UserID, "err", err)
			return &graphql.Response{Errors: gqlerror.List{{
				Message:    "the read could not be recorded in the audit trail, so it is not shown",
				Extensions: map[string]any{"code": "INTERNAL_SERVER_ERROR"},
			}}}
		}
		return resp
	}
}
