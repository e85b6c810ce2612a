# Untested here: these machines have no container runtime. See docs/operations.md#container.

# Build stage: dev dependencies, TypeScript build.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY client/generated/persisted-documents.json ./client/generated/
RUN npm run build && npm prune --omit=dev

# Runtime stage: production dependencies and dist/ only, non-root.
FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
# The trusted documents manifest (package.json `files`): the gateway refuses to start without it.
COPY --from=build --chown=node:node /app/client/generated/persisted-documents.json ./client/generated/
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself; src/main.ts handles it and drains before exiting.
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
