# syntax=docker/dockerfile:1
# withings-link in one small image: the built SPA and the relay bundle, run by plain node as a
# non-root user. See docs/deploy.md.
#   docker build -t withings-link .
#   docker run --env-file .env -p 3000:3000 --stop-timeout 15 withings-link
# Any Node from 20.19 runs the bundle (the test suite runs on 20).
ARG NODE_VERSION=22

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# Type-check, then dist/ (the SPA) and build/relay/ (the relay with every dependency inside).
RUN npm run build

FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY --from=build /app/build/relay ./build/relay
COPY --from=build /app/dist ./dist
# The files stay root-owned and read-only to the process; it needs no write access at all.
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM drains: exchanges under way finish (at most WITHINGS_TIMEOUT_MS + 2 s), newcomers get 503.
STOPSIGNAL SIGTERM
CMD ["node", "build/relay/start.mjs"]
