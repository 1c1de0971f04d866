# syntax=docker/dockerfile:1
# Multi-stage: compile with dev dependencies, ship only production dependencies and dist/.
# Runs as a non-root user and works with a read-only root filesystem: certificates, config and dev
# certificates live on mounts (/etc/ci-pod-webhook/..., an emptyDir at /tmp).

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    CI_POD_WEBHOOK_CERTS_DIR=/tmp/ci-pod-webhook/certs
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
USER 10001:10001
EXPOSE 8443 8080
ENTRYPOINT ["node", "/app/dist/src/cli/main.js"]
CMD ["serve"]
