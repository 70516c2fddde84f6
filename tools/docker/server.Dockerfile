# syntax=docker/dockerfile:1
# Multi-stage build shared by the Node services (relay, admin, worker). From the repository root:
#   docker build -f tools/docker/server.Dockerfile --build-arg APP=relay --build-arg PORT=3000 -t oneapi-ts-relay .
# The console has its own Dockerfile (apps/console/Dockerfile).
FROM node:20-bookworm-slim AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts && npm rebuild better-sqlite3 bcrypt
COPY tsconfig.base.json tsconfig.build.json ./
COPY libs libs
COPY apps/relay apps/relay
COPY apps/admin apps/admin
COPY apps/worker apps/worker
COPY tools tools
RUN node tools/scripts/build.mjs --server-only && npm prune --omit=dev

FROM node:20-bookworm-slim
ARG APP=relay
ARG PORT=3000
ENV NODE_ENV=production APP=${APP} HEALTH_PORT=${PORT}
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/dist dist
# Mount point of compose's console-key volume: a new volume takes this owner, so the admin
# (running as node) can write the console's signing key there.
RUN mkdir -p /var/lib/oneapi && chown node:node /var/lib/oneapi
USER node
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s CMD node -e "fetch('http://127.0.0.1:'+process.env.HEALTH_PORT+'/readyz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["sh", "-c", "exec node dist/apps/${APP}/src/main.js"]
