#!/usr/bin/env bash
# `npm start`: installs and builds when needed, then runs the built gateway. With no COBALT_API_KEY
# outside production it starts on the embedded default (Cobalt emulator + generated dev sign-in).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm packages (npm ci)..." >&2
  npm ci --no-audit --no-fund >&2
fi
if [ ! -f dist/main.js ] || [ -n "$(find src tsconfig.json tsconfig.build.json -newer dist/main.js -print -quit)" ]; then
  echo "Building (tsc)..." >&2
  npm run build --silent >&2
fi
exec node dist/main.js
