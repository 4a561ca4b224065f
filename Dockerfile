# syntax=docker/dockerfile:1
# One image recipe for every app of the shop:
#   docker build --build-arg APP=order -t shop/order .
# APP is one of: gateway user order inventory payment shipping recommendation.
#
# Stages:
#   base       the official Node 24 image and the npm that made package-lock.json (its allowScripts policy decides
#              which install scripts run)
#   deps       every dependency, exactly as the lock file says (npm ci), for the build
#   build      generates the gRPC code from proto/ and compiles only APP and the libs it references (tsc -b)
#   prod-deps  production dependencies only; the same for every app, so the seven images share this layer
#   runtime    prod-deps + the compiled app and libs + proto/ (loaded at run time) + the dev JWT key script,
#              run as the unprivileged `node` user (uid 1000)

ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS base
ARG NPM_VERSION=11.19.1
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
RUN npm install --global "npm@${NPM_VERSION}" && npm --version
WORKDIR /app

# The manifests first (root, lock file and every workspace's package.json), so the install layers are rebuilt only
# when a dependency changes, not on every source edit.
FROM base AS manifests
COPY package.json package-lock.json .npmrc ./
COPY libs/contracts/package.json libs/contracts/
COPY libs/messaging/package.json libs/messaging/
COPY libs/platform/package.json libs/platform/
COPY libs/resilience/package.json libs/resilience/
COPY libs/testing/package.json libs/testing/
COPY services/user/package.json services/user/
COPY services/order/package.json services/order/
COPY services/inventory/package.json services/inventory/
COPY services/payment/package.json services/payment/
COPY services/shipping/package.json services/shipping/
COPY services/recommendation/package.json services/recommendation/
COPY gateway/package.json gateway/

FROM manifests AS deps
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

FROM manifests AS prod-deps
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --workspaces --include-workspace-root --no-audit --no-fund

FROM deps AS build
ARG APP
ENV NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
COPY . .
# Generated gRPC types are not in git: buf (a devDependency) and ts-proto write them from proto/.
RUN npx nx run contracts:generate --outputStyle=static
# Compile APP's dependency graph only, then lay out exactly what the runtime needs in /out:
# the app's dist, and package.json + dist of each lib that was built for it.
RUN set -eu; \
    case "${APP:-}" in \
      gateway) dir=gateway ;; \
      user|order|inventory|payment|shipping|recommendation) dir="services/${APP}" ;; \
      *) echo "build argument APP must be one of: gateway user order inventory payment shipping recommendation (got '${APP:-}')" >&2; exit 1 ;; \
    esac; \
    npx tsc -b "$dir"; \
    mkdir -p "/out/$dir"; \
    cp -r "$dir/package.json" "$dir/dist" "/out/$dir/"; \
    for lib in libs/*; do \
      if [ -d "$lib/dist" ]; then mkdir -p "/out/$lib" && cp -r "$lib/package.json" "$lib/dist" "/out/$lib/"; fi; \
    done; \
    find /out -name '*.tsbuildinfo' -delete; \
    ln -s "$dir/dist" /out/dist

FROM ${NODE_IMAGE} AS runtime
ARG APP
ENV NODE_ENV=production \
    SHOP_APP=${APP} \
    PROTO_ROOT=/app/proto
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=prod-deps /app/package.json ./package.json
COPY --from=build /out/ ./
COPY proto ./proto
# `keys` in docker-compose.yml runs this once to create the development JWT key pair.
COPY scripts/dev-keys.mjs ./scripts/dev-keys.mjs
# Where compose mounts the JWT key volume; owned by the app user so a fresh named volume starts writable for it.
RUN mkdir -p /var/lib/shop/jwt && chown 1000:1000 /var/lib/shop/jwt
# uid 1000 is the `node` user of the official image; numeric, so Kubernetes can verify runAsNonRoot.
USER 1000:1000
# Liveness of the app's HTTP port: <APP>_HTTP_PORT, or the app's default port. No curl in the image: Node's fetch.
# Another entry point of the image (the shipping worker on SHIPPING_WORKER_HTTP_PORT) brings its own health check,
# as docker-compose.yml does.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 CMD ["node", "-e", "const app = process.env.SHOP_APP; const defaults = { gateway: 8080, user: 3001, order: 3002, inventory: 3003, payment: 3004, shipping: 3005, recommendation: 3006 }; const port = process.env[app.toUpperCase() + '_HTTP_PORT'] ?? defaults[app]; fetch('http://127.0.0.1:' + port + '/health', { signal: AbortSignal.timeout(2500) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));"]
# /app/dist links to the app's own dist folder (gateway/dist or services/<APP>/dist). Exec form: node is PID 1 and
# receives SIGTERM itself, so the app's graceful shutdown runs.
CMD ["node", "/app/dist/main.js"]
