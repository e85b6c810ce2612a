#!/usr/bin/env bash
# `npm test`: everything CI runs, in order, on a fresh clone too. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

# npm packages: install when node_modules is missing or older than the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "Installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
fi

# Debian packages the integration tests run for real: a Redis server for the shared token cache,
# Chromium for the playground.
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  step "Installing Debian packages: ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

step "Type check";        npx tsc -p tsconfig.json
step "Lint";              npx eslint .
step "Format";            npx prettier --check .
step "Layers";            npx depcruise src --config .dependency-cruiser.cjs
step "Codegen is fresh";  npx graphql-codegen --config codegen.yml --check
step "Build";             npm run build --silent
step "Tests (schema drift, unit, integration)"
results="$(mktemp)"
npx jest --ci --json --outputFile="$results"

# Benchmarks are not tests, but a few seconds of each scenario keep bench/ from rotting.
step "Bench smoke (npm run bench -- --smoke)"
node --import tsx bench/run.ts --smoke

# One plain closing line, the same whatever the runner prints above it.
node -e 'const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")); console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`)' "$results"
rm -f "$results"
