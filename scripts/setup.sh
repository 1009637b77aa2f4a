#!/usr/bin/env bash
# The README's first command: install, build and start Meshplane, on the embedded database
# (PGlite in $MESHPLANE_DATA_DIR, default .data) unless DATABASE_URL names a PostgreSQL.
# Safe to run again: it keeps the secrets it made, the data, and a build that is still fresh.
#
#   bash scripts/setup.sh                      http://localhost:3000
#   PORT=8080 HOST=127.0.0.1 bash scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node-modules.sh
export NEXT_TELEMETRY_DISABLED=1

say() { printf '\033[1m── %s\033[0m\n' "$*"; }

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "Meshplane needs Node.js 20 or later (found: $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi

say "dependencies"
ensure_node_modules

say "secrets"
data_dir=${MESHPLANE_DATA_DIR:-.data}
secrets=$data_dir/secrets.env
if [ -f "$secrets" ]; then
  echo "reusing $secrets"
else
  mkdir -p "$data_dir"
  gen() { node -e 'console.log(require("crypto").randomBytes(32).toString("base64"))'; }
  # Keep the keys an earlier development start kept there (lib/server/env.ts): data encrypted with
  # the old key must stay readable.
  auth=$(cat "$data_dir/auth-secret" 2>/dev/null || gen)
  key=$(cat "$data_dir/encryption-key" 2>/dev/null || gen)
  (umask 077 && printf 'AUTH_SECRET=%s\nMESHPLANE_ENCRYPTION_KEY=%s\n' "$auth" "$key" >"$secrets")
  echo "wrote $secrets (mode 600): back it up with the data"
fi
chmod 600 "$secrets"
# Values already in the environment win over the file.
while IFS='=' read -r name value; do
  case "$name" in ''|\#*) continue ;; esac
  if [ -z "${!name:-}" ]; then export "$name=$value"; fi
done <"$secrets"

say "build"
dist=${NEXT_DIST_DIR:-.next} # next.config.ts reads the same variable
fresh=""
if [ -f "$dist/BUILD_ID" ] && [ -f dist/cli/meshplane.mjs ] && [ -f dist/server/server.mjs ]; then
  fresh=$(find . \( -path ./node_modules -o -path "./$dist" -o -path ./.next -o -path ./.git -o -path "./$data_dir" -o -path ./.data \
    -o -path ./test-results -o -path ./playwright-report \) -prune -o -type f -newer "$dist/BUILD_ID" -print -quit)
  [ -z "$fresh" ] && fresh=yes || fresh=""
fi
if [ "$fresh" = yes ]; then
  echo "the build is newer than every source file; keeping it"
else
  npm run build # the agent and CLI bundles, the server (dist/server/server.mjs), then next build
fi

port=${PORT:-3000}
host=${HOST:-0.0.0.0}
shown=$host
[ "$host" = 0.0.0.0 ] && shown=localhost
# The address hosts reach this Meshplane at (install and enrol commands on the pages). Unset,
# a guess for this run: the machine's first address; set it (here or in the secrets file)
# when hosts reach it otherwise (a DNS name, a proxy, HTTPS).
if [ -z "${MESHPLANE_PUBLIC_URL:-}" ]; then
  guess=$( { hostname -I 2>/dev/null || true; } | tr ' ' '\n' | grep -E '^[0-9]+(\.[0-9]+){3}$' | head -n1 || true)
  if [ -n "$guess" ]; then
    if [ "$host" = 0.0.0.0 ] || [ "$host" = "$guess" ]; then export MESHPLANE_PUBLIC_URL="http://$guess:$port"; fi
  fi
  if [ -n "${MESHPLANE_PUBLIC_URL:-}" ]; then
    echo "MESHPLANE_PUBLIC_URL=$MESHPLANE_PUBLIC_URL (a guess: set MESHPLANE_PUBLIC_URL, or add it to $secrets, if hosts reach Meshplane at another address)"
  else
    echo "MESHPLANE_PUBLIC_URL is unset: the pages show no install command until you set it to the address hosts reach Meshplane at (e.g. MESHPLANE_PUBLIC_URL=https://mesh.example.com, or add it to $secrets)"
  fi
fi
say "start"
# On PGlite (one process, small installs) V8's young generation is capped at 1 MB a semi-space
# instead of 16: idle RSS with a 1,000-host network 338 → 283 MB (issue 19, bench/limits-rows.ts
# starts it the same way).
node_flags=()
if [ -n "${DATABASE_URL:-}" ]; then
  echo "database: PostgreSQL from DATABASE_URL"
else
  echo "database: embedded PGlite in $data_dir/pglite (created on first start)"
  node_flags=(--max-semi-space-size=1)
fi
echo
echo "  Meshplane: http://$shown:$port   (create the first account at http://$shown:$port/sign-up; Ctrl-C stops it)"
echo
export NODE_ENV=production PORT=$port HOST=$host
# The compiled server (scripts/build-server.mjs): plain node, no TypeScript compiler at run time.
exec node ${node_flags[@]+"${node_flags[@]}"} dist/server/server.mjs
