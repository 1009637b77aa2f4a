#!/usr/bin/env bash
# Playwright's webServer command (see playwright.config.ts): create this run's database,
# then become the built server, which migrates it. e2e/global-teardown.ts drops it.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${E2E_ADMIN_URL:?set by playwright.config.ts}" "${E2E_DATABASE_NAME:?set by playwright.config.ts}"
dist=${NEXT_DIST_DIR:-.next} # next.config.ts reads the same variable
if [ ! -f "$dist/BUILD_ID" ] || [ ! -f dist/server/server.mjs ]; then
  echo "e2e/serve.sh: the app is not built (no $dist/BUILD_ID or dist/server/server.mjs): run \`npm run build\` first" >&2
  exit 1
fi
psql "$E2E_ADMIN_URL" -v ON_ERROR_STOP=1 -q -c "create database \"$E2E_DATABASE_NAME\""
mkdir -p "$MESHPLANE_DATA_DIR"
exec node dist/server/server.mjs # as `npm start` and setup.sh run it
