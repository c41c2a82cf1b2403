# syntax=docker/dockerfile:1

# apnet: a static Go binary in a distroless image.
#
#   docker build -t apnet .
#   docker run --rm -p 8080:8080 apnet serve --demo     # SQLite inside the container, demo data
#
# docker-compose.yml runs it with PostgreSQL, Redis and an nginx load balancer.

# Go version of the build stage; go.mod needs 1.26.8 or later, and the image
# does not download toolchains (GOTOOLCHAIN=local), so pin a patch release here
# (e.g. --build-arg GO_VERSION=1.26.8) if the 1.26 tag is ever older than that.
ARG GO_VERSION=1.26

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src

# Modules first, in their own layer: it is rebuilt only when go.mod or go.sum
# change, not on every source edit.
COPY go.mod go.sum ./
RUN go mod download && go mod verify

COPY . .
# The compiler's cache survives between builds (BuildKit cache mount); the
# binary is static (pure-Go SQLite and pgx, no cgo), so it runs on any base.
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/apnet ./cmd/apnet
# An empty documents directory: the image has no shell to make it, and a
# volume mounted there takes its owner (nonroot) from the image.
RUN mkdir -p /out/documents && chmod 0700 /out/documents


# Final image: no shell, no package manager, CA certificates and tzdata
# included, runs as uid/gid 65532 (nonroot). It has nothing to run a
# HEALTHCHECK with, so health is checked from outside: the load balancer's
# passive checks in docker-compose.yml, or an orchestrator's HTTP probes on
# /healthz (liveness) and /readyz (database and broker reachable).
FROM gcr.io/distroless/static-debian12:nonroot

COPY --from=build /out/apnet /apnet
COPY --from=build --chown=65532:65532 /out/documents /home/nonroot/documents

# The nonroot user's home, writable by it: where the default SQLite file
# (apnet.db, used when APNET_DATABASE_URL is unset) goes.
WORKDIR /home/nonroot
USER 65532:65532

ENV APNET_ADDR=:8080
EXPOSE 8080

# SIGTERM (docker stop's default) lets in-flight requests finish and closes
# every subscription cleanly within 20 s; give the container a stop timeout
# above that (docker-compose.yml sets stop_grace_period: 30s).
ENTRYPOINT ["/apnet"]
CMD ["serve"]
