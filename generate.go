// Package apnet is the root of the apnet module. It only holds the code
// generation steps, in the order they must run: ent (which also writes
// graph/ent.graphqls through entgql), then gqlgen.
package apnet

//go:generate go run ./ent/entc.go
//go:generate go tool gqlgen generate --config gqlgen.yml
