# Images, from one Dockerfile (build the bundles first: `npm ci && npm run build`):
#   docker build --target manager       -t ghcr.io/eraser-ts/eraser-manager:v0.1.0 .
#   docker build --target worker        -t ghcr.io/eraser-ts/eraser-worker:v0.1.0 .
#   docker build --target worker-trivy  -t ghcr.io/eraser-ts/eraser-worker-trivy:v0.1.0 .
# Worker pods pass the subcommand (collector | trivy-scanner | remover) as the container's args,
# so the worker images' entrypoint is the worker itself. The V8 flags keep the remover's peak
# memory down (measured by `npm run bench:worker`, see docs/worker.md).
# The base image's Node must be the build's (package-lock.json): V8 accepts the worker's code caches
# only from the same Node version (docs/adr/0006; a unit test checks the tag).
FROM node:24.21.0-slim AS base
WORKDIR /app
COPY dist/ /app/dist/
USER 65532:65532

FROM base AS manager
ENTRYPOINT ["node", "/app/dist/eraser-manager"]

FROM base AS worker
# The worker talks to the node's runtime socket, which is root-owned on every distribution.
USER 0:0
# The flags are src/worker/node-flags.ts (a unit test keeps the two equal).
ENTRYPOINT ["node", "--max-semi-space-size=1", "--v8-pool-size=1", "--lite-mode", "--expose-gc", "/app/dist/eraser-worker"]

FROM worker AS worker-trivy
ARG TRIVY_VERSION=0.74.0
COPY --from=ghcr.io/aquasecurity/trivy:0.74.0 /usr/local/bin/trivy /usr/local/bin/trivy
