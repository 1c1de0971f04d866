#!/usr/bin/env bash
# Replays the Dockerfile's stages without a Docker engine: the build stage in a scratch dir (npm ci, build,
# prune to production dependencies), then the runtime stage's file set, owned by root and read-only, run as
# uid 10001 with only /tmp writable, as the image runs with readOnlyRootFilesystem and an emptyDir at /tmp.
# Prints the runtime dir; the caller starts the server from it. Usage: image-layout.sh WORKDIR
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$1"
build="$work/build" app="$work/app"
mkdir -p "$build" "$app"
# Build stage: COPY package.json package-lock.json; RUN npm ci; COPY tsconfig*.json src; RUN build && prune.
cp "$repo/package.json" "$repo/package-lock.json" "$repo/tsconfig.json" "$repo/tsconfig.build.json" "$build/"
cp -r "$repo/src" "$build/src"
(cd "$build" && npm ci --no-audit --no-fund --ignore-scripts --prefer-offline >&2 && npm run build >&2 && npm prune --omit=dev --ignore-scripts >&2)
# Runtime stage: only package.json, node_modules and dist/src.
cp "$build/package.json" "$app/"
cp -r "$build/node_modules" "$app/node_modules"
mkdir -p "$app/dist" && cp -r "$build/dist/src" "$app/dist/src"
chmod -R a-w "$app"
echo "$app"
