// Package server assembles apnet's HTTP surface: GraphQL over HTTP and
// websockets at /query, GraphiQL, health, readiness and metrics.
package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/graph"
	"github.com/apnet/apnet/internal/access"
	"github.com/apnet/apnet/internal/apierr"
	"github.com/apnet/apnet/internal/dashboard"
	"github.com/apnet/apnet/internal/docstore"
	"github.com/apnet/apnet/internal/fanout"
	"github.com/apnet/apnet/internal/metrics"
	"github.com/apnet/apnet/internal/viewer"
	"github.com/apnet/apnet/internal/wsgorilla"
)

// Options configure the HTTP surface.
type Options struct {
	// AllowedOrigins may open websockets besides the server's own origin.
	AllowedOrigins []string
	// Introspection and GraphiQL are on unless disabled for production.
	DisableIntrospection bool
	DisableGraphiQL      bool
	// MaxBodyBytes limits a request body; 0 means 1 MiB. Multipart uploads
	// are limited by the document store's upload limit instead.
	MaxBodyBytes int64
	// KeepAlive is the websocket keep-alive interval; 0 means 10 s.
	KeepAlive time.Duration
	// Ready checks the database and broker for /readyz.
	Ready func(context.Context) error
	// Auth turns bearer tokens into viewers.
	Auth Authenticator
	// MetricsToken, when set, is the bearer token /metrics requires; when
	// empty, /metrics answers loopback clients only.
	MetricsToken string
	// TrustProxy takes the client address from X-Real-IP, set by apnet's own
	// load balancer; never enable it when clients can reach apnet directly.
	TrustProxy bool
}

// Query limits: deep or wide queries are refused before they run.
const (
	maxDepth      = 15
	maxComplexity = 50000 // lists count page size × items: about the rows a query may reach
)

// Authenticator turns a bearer token into the viewer it stands for, and ties
// a websocket's context to its session so that revoking it closes the socket.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (viewer.Viewer, error)
	Track(ctx context.Context, sessionID int) context.Context
}

// Server is apnet's HTTP handler plus the means to close its websockets.
type Server struct {
	http.Handler
	closeSockets context.CancelFunc
	socketsCtx   context.Context
	sockets      sync.WaitGroup
}

// New returns the HTTP surface over the given resolver.
func New(r *graph.Resolver, log *slog.Logger, o Options) *Server {
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = 1 << 20
	}
	if o.KeepAlive == 0 {
		o.KeepAlive = 10 * time.Second
	}
	s := &Server{}
	s.socketsCtx, s.closeSockets = context.WithCancel(context.Background())

	gql := handler.New(graph.NewSchema(r))
	maxUpload := uploadLimit(r)
	transports := []graphql.Transport{
		// The websocket transport goes first: it claims any request with an Upgrade header.
		transport.Websocket{
			Implementation: wsgorilla.New(wsgorilla.Options{
				AllowedOrigins: o.AllowedOrigins,
				OnUpgradeError: func(r *http.Request, err error) {
					log.Warn("websocket upgrade refused", "remote", r.RemoteAddr, "err", err)
				},
				ErrorCode: websocketErrorCode,
			}),
			KeepAlivePingInterval: o.KeepAlive, // legacy graphql-ws "ka"
			PingPongInterval:      o.KeepAlive, // graphql-transport-ws ping/pong
			InitTimeout:           10 * time.Second,
			InitFunc:              websocketInit(o.Auth),
		},
		transport.Options{},
		transport.GET{},
		transport.POST{},
		// Uploads (GraphQL multipart request spec). The file limit itself is
		// enforced exactly by the document store while it streams; this bounds
		// the whole request, and small files stay in memory.
		transport.MultipartForm{MaxUploadSize: maxUpload + multipartSlack, MaxMemory: 1 << 20},
	}
	for _, t := range transports {
		gql.AddTransport(t)
	}
	gql.SetQueryCache(listCoercingCache{lru.New[*ast.QueryDocument](1000)})
	gql.Use(listVariables{})
	if !o.DisableIntrospection {
		gql.Use(extension.Introspection{})
	}
	gql.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	gql.Use(DepthLimit{Max: maxDepth})
	gql.Use(&InputChecks{})
	gql.Use(extension.FixedComplexityLimit(maxComplexity))
	gql.AroundOperations(checkOperation)
	gql.AroundFields(graph.PageSize)
	gql.AroundResponses(countRequests)
	gql.AroundResponses(auditReads(r.Client, log))
	gql.SetErrorPresenter(presentError(log))
	gql.SetRecoverFunc(func(ctx context.Context, v any) error {
		log.Error("panic in resolver", "panic", v, "path", graphql.GetPath(ctx).String())
		return errors.New("internal error")
	})
	// Last, so innermost: authorisation, limits and the rest run per
	// subscriber before identical subscriptions share one execution.
	gql.Use(fanout.New(fanout.Options{Deliver: flushReads(r.Client, log), Log: log}))

	mux := http.NewServeMux()
	mux.Handle("/query", guardTransport(o.MaxBodyBytes, maxUpload, transports, authenticate(o.Auth, o.TrustProxy, uploadGate(s.websocketsClose(gql)))))
	if r.Documents != nil {
		mux.Handle("GET /documents/{id}", authenticate(o.Auth, o.TrustProxy, download(r.Documents, log)))
	}
	if !o.DisableGraphiQL {
		mux.Handle("/graphiql", playground.Handler("apnet", "/query"))
	} else {
		// Absent, not the dashboard's fallback page.
		mux.Handle("/graphiql", http.NotFoundHandler())
	}
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, req *http.Request) {
		ctx, cancel := context.WithTimeout(req.Context(), 3*time.Second)
		defer cancel()
		if o.Ready != nil {
			if err := o.Ready(ctx); err != nil {
				log.Warn("not ready", "err", err)
				http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
				return
			}
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	mux.Handle("/metrics", metricsGuard(o.MetricsToken, metrics.Handler()))
	// The staff dashboard: every other path, so its own routes survive a reload.
	mux.Handle("/", dashboard.Handler())
	s.Handler = mux
	return s
}

// CloseWebsockets ends every live subscription with a normal close frame.
// http.Server.Shutdown does not reach hijacked connections, so call this
// from RegisterOnShutdown.
func (s *Server) CloseWebsockets() { s.closeSockets() }

// WaitWebsockets waits until every websocket has closed, or ctx ends.
func (s *Server) WaitWebsockets(ctx context.Context) error {
	done := make(chan struct{})
	go func() { s.sockets.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// websocketsClose ties each websocket request to the server's socket context
// as well as its own, so CloseWebsockets ends them.
func (s *Server) websocketsClose(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" {
			s.sockets.Add(1)
			defer s.sockets.Done()
			ctx, cancel := context.WithCancel(r.Context())
			defer cancel()
			stop := context.AfterFunc(s.socketsCtx, cancel)
			defer stop()
			r = r.WithContext(ctx)
		}
		next.ServeHTTP(w, r)
	})
}

// multipartSlack is room in an upload request for its operations and map
// parts and the multipart framing, beyond the file itself.
const multipartSlack = 64 << 10

func uploadLimit(r *graph.Resolver) int64 {
	if r.Documents != nil && r.Documents.Store != nil {
		return r.Documents.Store.MaxBytes()
	}
	return docstore.DefaultMaxBytes
}

// uploadGate refuses a multipart request from anyone who may not upload
// before any of its body is read: gqlgen's transport spools the file (to
// disk when large) before the operation gate sees the mutation.
func uploadGate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
			if err := access.CheckOperation(viewer.FromContext(r.Context()), "Mutation.uploadDocument"); err != nil {
				e, _ := apierr.As(err)
				status := http.StatusForbidden
				if e.Code == apierr.Unauthenticated {
					status = http.StatusUnauthorized
				}
				writeJSONError(w, status, e)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// writeJSONError answers a request refused before GraphQL runs, in GraphQL's error shape.
func writeJSONError(w http.ResponseWriter, status int, e *apierr.Error) {
	ext := map[string]any{"code": string(e.Code)}
	if e.Field != "" {
		ext["field"] = e.Field
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{"message": e.Message, "extensions": ext}}})
}

func countRequests(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if !graphql.HasOperationContext(ctx) {
		return resp
	}
	op := "unknown"
	if oc := graphql.GetOperationContext(ctx); oc.Operation != nil {
		op = string(oc.Operation.Operation)
	}
	outcome := "ok"
	if resp != nil && len(resp.Errors) > 0 {
		outcome = "error"
	}
	metrics.Requests.WithLabelValues(op, outcome).Inc()
	return resp
}

// presentError gives every error a stable extensions.code. Errors apnet
// means to show (apierr, not found, validation of the request itself) keep
// their message; anything else is internal: logged with a reference and
// shown only as that reference, so no SQL, path or stack reaches the caller.
func presentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		setCode := func(code apierr.Code, msg string) *gqlerror.Error {
			gqlErr.Message = msg
			if gqlErr.Extensions == nil {
				gqlErr.Extensions = map[string]any{}
			}
			gqlErr.Extensions["code"] = string(code)
			return gqlErr
		}
		if e, ok := apierr.As(err); ok {
			out := setCode(e.Code, e.Message)
			if e.Field != "" {
				out.Extensions["field"] = e.Field
			}
			return out
		}
		if access.IsDenied(err) {
			// The policy's reason stays in the log; the caller learns only the refusal.
			log.Info("denied by an entity policy", "path", gqlErr.Path.String(), "err", err)
			gqlErr.Err = nil
			return setCode(apierr.Forbidden, "you may not see or change this record")
		}
		var nf *ent.NotFoundError
		if errors.As(err, &nf) {
			return setCode(apierr.NotFound, "not found")
		}
		if ent.IsConstraintError(err) {
			return setCode(apierr.Conflict, "this conflicts with an existing record (a unique value already taken) or refers to one that does not exist")
		}
		var ve *ent.ValidationError
		if errors.As(err, &ve) {
			return setCode(apierr.BadUserInput, "invalid "+ve.Name)
		}
		if gqlErr.Extensions["code"] == "COMPLEXITY_LIMIT_EXCEEDED" {
			return setCode(apierr.BadUserInput, gqlErr.Message)
		}
		if msg, ok := paginationMessage(gqlErr); ok {
			gqlErr.Err = nil
			return setCode(apierr.BadUserInput, msg)
		}
		if gqlErr.Err == nil {
			// gqlgen's own parse, validation and input-coercion errors. A
			// body that is not JSON is not echoed back: it may hold a password.
			if msg, _, cut := strings.Cut(gqlErr.Message, " body:"); cut && strings.HasPrefix(msg, "json request body could not be decoded") {
				gqlErr.Message = msg
			}
			if _, ok := gqlErr.Extensions["code"]; !ok {
				return setCode(apierr.BadUserInput, gqlErr.Message)
			}
			return gqlErr
		}
		ref := newRef()
		log.Error("internal error", "ref", ref, "path", gqlErr.Path.String(), "err", err)
		gqlErr.Err = nil
		return setCode("INTERNAL_SERVER_ERROR", "internal error (reference "+ref+")")
	}
}

// paginationMessage says in words what entgql's connection arguments check
// refused. entgql marks a negative first or last with its own
// extensions.code INVALID_PAGINATION, which is none of apnet's codes, and
// both given with none at all; each is the caller's input, BAD_USER_INPUT.
func paginationMessage(gqlErr *gqlerror.Error) (string, bool) {
	switch m := gqlErr.Message; {
	case strings.HasPrefix(m, "Passing both `first` and `last`"):
		return "first and last may not both be given: page forwards with first (and after) or backwards with last (and before)", true
	case gqlErr.Extensions["code"] != "INVALID_PAGINATION":
		return "", false
	case strings.HasPrefix(m, "`last`"):
		return "last must not be negative", true
	case strings.HasPrefix(m, "`first`"):
		return "first must not be negative", true
	default:
		return "the page arguments (first, last) are not valid", true
	}
}

func newRef() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// metricsGuard keeps /metrics from unauthenticated callers: only a scraper
// holding the metrics token, or a client on this machine when none is set.
func metricsGuard(token string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token != "" {
			got, ok := bearer(r.Header.Get("Authorization"))
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
				http.Error(w, "metrics need the metrics token", http.StatusUnauthorized)
				return
			}
		} else if ip := net.ParseIP(clientAddress(r, false)); ip == nil || !ip.IsLoopback() {
			http.Error(w, "metrics are served to this machine only unless APNET_METRICS_TOKEN is set", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}
