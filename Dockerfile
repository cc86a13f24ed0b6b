# syntax=docker/dockerfile:1
#
# Shuanglian server image.
#   docker build -t shuanglian:0.1.0 .
#   docker run --rm -p 8080:8080 -e DATABASE_URL=... -e SHUANGLIAN_MASTER_KEY=... shuanglian:0.1.0
# The binary links libpq dynamically (pq-sys); SQLite is bundled (libsqlite3-sys).
# Needs BuildKit (the default builder since Docker 23) for the cache mounts.

ARG RUST_VERSION=1.95
ARG DEBIAN_RELEASE=bookworm

# ---- web front end ----------------------------------------------------------
# The Vue app (web/), built once here; server/build.rs takes it from SHUANGLIAN_WEB_DIST and
# compiles it into the binary, so the runtime image has no Node.js.
FROM node:20-${DEBIAN_RELEASE}-slim AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
COPY web/ ./
RUN npx vite build

# ---- build ------------------------------------------------------------------
FROM rust:${RUST_VERSION}-${DEBIAN_RELEASE} AS builder

# libpq-dev: headers, libpq.so and pg_config/pkg-config metadata for pq-sys.
# No OpenSSL headers needed: nothing in the dependency tree builds against OpenSSL
# (libpq brings its own TLS at run time).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src
# The whole workspace: cargo needs every member's manifest, and the server
# embeds migrations/ at compile time. .dockerignore keeps target/, data/ and .git out.
COPY . .
COPY --from=web /web/dist /web-dist
ENV SHUANGLIAN_WEB_DIST=/web-dist

RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/usr/local/cargo/git,sharing=locked \
    --mount=type=cache,target=/src/target,sharing=locked \
    cargo build --release --locked -p shuanglian-server \
 && install -D -m 0755 target/release/shuanglian /out/shuanglian

# ---- runtime ----------------------------------------------------------------
FROM debian:${DEBIAN_RELEASE}-slim AS runtime

RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 ca-certificates \
 && rm -rf /var/lib/apt/lists/*

# Non-root user 10001 (the Helm chart runs as 10001:10001 with a read-only root
# filesystem; only /tmp is writable there, from an emptyDir).
RUN groupadd --system --gid 10001 shuanglian \
 && useradd --system --uid 10001 --gid 10001 --no-create-home \
      --home-dir /var/lib/shuanglian --shell /usr/sbin/nologin shuanglian \
 && install -d -o 10001 -g 10001 -m 0750 /var/lib/shuanglian

COPY --from=builder /out/shuanglian /usr/local/bin/shuanglian

WORKDIR /var/lib/shuanglian
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/shuanglian"]
CMD ["serve", "--listen", "0.0.0.0:8080"]
