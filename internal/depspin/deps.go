// Package depspin keeps the chosen modules in go.mod until the code that uses them lands.
package depspin

import (
	_ "entgo.io/contrib/entgql"
	_ "entgo.io/ent"
	_ "entgo.io/ent/entc"
	_ "github.com/99designs/gqlgen/graphql/handler"
	_ "github.com/99designs/gqlgen/graphql/handler/testserver"
	_ "github.com/99designs/gqlgen/api"
	_ "github.com/gorilla/websocket"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/redis/go-redis/v9"
	_ "github.com/vektah/gqlparser/v2"
	_ "modernc.org/sqlite"
)
