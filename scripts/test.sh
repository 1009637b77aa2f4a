#!/usr/bin/env bash
# The README's test command, and what .ci/run calls.
#
#   bash scripts/test.sh                 every layer
#   bash scripts/test.sh unit e2e        only the layers named (lockfile typecheck lint unit build integration e2e)
#
# 1. Installs what the tests need when it is missing (Debian packages as root, else it says
#    what to install; node_modules when absent or older than the lockfile).
# 2. Finds a PostgreSQL: DATABASE_URL if set, else one answering on 127.0.0.1:5432, else a
#    throwaway cluster it starts here and removes at exit. MESHPLANE_TEST_FORCE_THROWAWAY_PG=1
#    skips the first two. Tests create (and drop) their own databases on that server.
# 3. Runs typecheck, lint, unit, build, integration, e2e: all of them even when one fails, each
#    under a time limit; prints a summary and exits non-zero if any layer failed.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/node-modules.sh
ROOT=$PWD
export NEXT_TELEMETRY_DISABLED=1 DEBIAN_FRONTEND=noninteractive
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

ALL_LAYERS=(lockfile typecheck lint unit build integration e2e)
if [ $# -gt 0 ]; then LAYERS=("$@"); else LAYERS=("${ALL_LAYERS[@]}"); fi
for l in "${LAYERS[@]}"; do
  case " ${ALL_LAYERS[*]} " in *" $l "*) ;; *) echo "unknown layer '$l' (choose from: ${ALL_LAYERS[*]})" >&2; exit 2 ;; esac
done
DIST=${NEXT_DIST_DIR:-.next} # where next build writes (next.config.ts reads the same variable)
wants() { case " ${LAYERS[*]} " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/meshplane-test.XXXXXX")
PG_DIR=""
PG_BIN=""
cleanup() {
  if [ -n "$PG_DIR" ]; then
    echo "── stopping the throwaway PostgreSQL in $PG_DIR"
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
  rm -rf "$RUN_DIR"
}
trap cleanup EXIT
# `timeout` puts each layer in a process group of its own, which a Ctrl-C would not reach:
# the layer runs in the background and an interrupt is passed on to its group.
LAYER_PID=""
interrupted() {
  trap '' INT TERM
  echo "interrupted: stopping the running layer" >&2
  if [ -n "$LAYER_PID" ]; then
    # SIGINT first: Playwright and vitest then stop their servers and run their teardowns
    # (which drop the test databases); TERM whatever is left after 30 s.
    kill -INT -- "-$LAYER_PID" 2>/dev/null
    for _ in $(seq 30); do kill -0 "$LAYER_PID" 2>/dev/null || break; sleep 1; done
    kill -TERM -- "-$LAYER_PID" 2>/dev/null
  fi
  exit 130
}
trap interrupted INT TERM

say() { printf '\n\033[1m── %s\033[0m\n' "$*"; }
is_root() { [ "$(id -u)" -eq 0 ]; }

# ── 1. Tools ────────────────────────────────────────────────────────────────────────────
# binary:package. Later issues' tests (WireGuard, nftables, DNS, QR) need the rest.
TOOLS=(chromium:chromium psql:postgresql-client pg_isready:postgresql-client
  wg:wireguard-tools wireguard-go:wireguard-go nft:nftables ip:iproute2
  ping:iputils-ping dig:dnsutils zbarimg:zbar-tools openssl:openssl)
APT_UPDATED=0
apt_install() {
  if ! is_root; then
    echo "missing packages: $*; install them with: sudo apt-get install -y $*" >&2
    return 1
  fi
  if [ "$APT_UPDATED" = 0 ]; then apt-get update -qq && APT_UPDATED=1; fi
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

say "tools"
missing=()
for pair in "${TOOLS[@]}"; do
  bin=${pair%%:*} pkg=${pair#*:}
  command -v "$bin" >/dev/null 2>&1 || case " ${missing[*]-} " in *" $pkg "*) ;; *) missing+=("$pkg") ;; esac
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "missing: ${missing[*]}"
  apt_install "${missing[@]}" || echo "warning: some tools are missing; the tests that need them will fail" >&2
else
  echo "all present"
fi

say "node modules"
ensure_node_modules || echo "warning: node_modules could not be installed; the layers below will fail" >&2

# ── 2. PostgreSQL ───────────────────────────────────────────────────────────────────────
free_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
as_pg() {
  # initdb and postgres refuse to run as root: use the postgres user then.
  if is_root; then (cd "$PG_DIR" && runuser -u postgres -- "$@"); else "$@"; fi
}
can_connect() { psql "$1" -qAtX -c 'select 1' >/dev/null 2>&1; }

start_throwaway_pg() {
  local initdb
  initdb=$(command -v initdb || ls -1 /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1)
  if [ -z "$initdb" ]; then
    apt_install postgresql || return 1
    initdb=$(ls -1 /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1)
  fi
  PG_BIN=$(dirname "$(readlink -f "$initdb")")
  if is_root && ! id postgres >/dev/null 2>&1; then useradd --system --no-create-home postgres; fi
  PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/meshplane-pg.XXXXXX")
  is_root && chown postgres "$PG_DIR"
  local port
  port=$(free_port)
  echo "starting a throwaway cluster ($PG_BIN) in $PG_DIR on 127.0.0.1:$port"
  as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 60 \
    -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null \
    || { cat "$PG_DIR/log" >&2; return 1; }
  export DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
}

say "PostgreSQL"
local_url="postgres://postgres@127.0.0.1:5432/postgres"
if [ "${MESHPLANE_TEST_FORCE_THROWAWAY_PG:-}" = 1 ]; then
  echo "MESHPLANE_TEST_FORCE_THROWAWAY_PG=1"
  start_throwaway_pg || echo "could not start a throwaway PostgreSQL" >&2
elif [ -n "${DATABASE_URL:-}" ]; then
  can_connect "$DATABASE_URL" || echo "warning: cannot connect to DATABASE_URL" >&2
elif pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && can_connect "$local_url"; then
  export DATABASE_URL=$local_url
else
  start_throwaway_pg || echo "could not start a throwaway PostgreSQL" >&2
fi
echo "using ${DATABASE_URL:-(none)}; tests create and drop their own databases there"

# ── 3. Layers ───────────────────────────────────────────────────────────────────────────
declare -A RESULT PASSED FAILED DURATION
# Sets PASSED/FAILED for a layer from its JSON report; a failed layer counts at least one failure.
count() {
  local layer=$1 rc=$2 kind=$3 file=$4 counts="0 0"
  if [ -s "$file" ]; then
    counts=$(node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      if (process.argv[2] === "vitest") console.log(r.numPassedTests, r.numFailedTests);
      else console.log(r.stats.expected + r.stats.flaky, r.stats.unexpected);
    ' "$file" "$kind" 2>/dev/null || echo "0 0")
  fi
  PASSED[$layer]=${counts% *} FAILED[$layer]=${counts#* }
  if [ "$rc" -ne 0 ] && [ "${FAILED[$layer]}" -eq 0 ]; then FAILED[$layer]=1; fi
}

run_layer() {
  local layer=$1 limit=$2; shift 2
  say "$layer (limit ${limit}s)"
  local start=$SECONDS rc
  timeout --kill-after=15 "$limit" "$@" &
  LAYER_PID=$!
  wait "$LAYER_PID"
  rc=$?
  LAYER_PID=""
  DURATION[$layer]=$((SECONDS - start))
  if [ $rc -eq 0 ]; then RESULT[$layer]=passed
  elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then RESULT[$layer]="timed out"
  else RESULT[$layer]="failed ($rc)"; fi
  return $rc
}

check_layer() { # a layer that is one check, not a test count
  local layer=$1; shift
  run_layer "$layer" "$@"
  local rc=$?
  if [ $rc -eq 0 ]; then PASSED[$layer]=1 FAILED[$layer]=0; else PASSED[$layer]=0 FAILED[$layer]=1; fi
}

if wants lockfile; then
  check_layer lockfile 300 bash -c 'source scripts/node-modules.sh && check_lockfile'
fi
if wants typecheck; then
  # next-env.d.ts and route types come from Next; typegen makes them without a build.
  check_layer typecheck 600 bash -c 'node_modules/.bin/next typegen >/dev/null && node_modules/.bin/tsc --noEmit'
fi
if wants lint; then
  check_layer lint 600 node_modules/.bin/eslint --max-warnings=0 .
fi
if wants unit; then
  run_layer unit 600 node_modules/.bin/vitest run --project unit --reporter=default --reporter=json --outputFile.json="$RUN_DIR/unit.json"
  count unit $? vitest "$RUN_DIR/unit.json"
fi
if wants build; then
  rm -f "$DIST/BUILD_ID" dist/cli/meshplane.mjs dist/server/server.mjs # never test a stale build after a failed one
  check_layer build 900 npm run build --silent
fi
if wants integration; then
  run_layer integration 900 node_modules/.bin/vitest run --project integration --reporter=default --reporter=json --outputFile.json="$RUN_DIR/integration.json"
  count integration $? vitest "$RUN_DIR/integration.json"
fi
if wants e2e; then
  if [ ! -f "$DIST/BUILD_ID" ]; then
    say "e2e"
    echo "skipped: there is no build ($DIST/BUILD_ID); the build layer failed or was not run"
    RESULT[e2e]="not run (no build)" PASSED[e2e]=0 FAILED[e2e]=1 DURATION[e2e]=0
  else
    export E2E_PORT=${E2E_PORT:-$(free_port)}
    export PLAYWRIGHT_JSON_OUTPUT_NAME="$RUN_DIR/e2e.json"
    run_layer e2e 1200 node_modules/.bin/playwright test --reporter=list,json
    count e2e $? playwright "$RUN_DIR/e2e.json"
  fi
fi

# ── Summary ─────────────────────────────────────────────────────────────────────────────
say "summary"
printf '%-12s %-22s %7s %7s %7s\n' layer result passed failed seconds
layers_ok=0 layers_bad=0 total_ok=0 total_bad=0
for l in "${LAYERS[@]}"; do
  printf '%-12s %-22s %7s %7s %7s\n' "$l" "${RESULT[$l]}" "${PASSED[$l]}" "${FAILED[$l]}" "${DURATION[$l]}"
  if [ "${RESULT[$l]}" = passed ]; then layers_ok=$((layers_ok + 1)); else layers_bad=$((layers_bad + 1)); fi
  total_ok=$((total_ok + PASSED[$l])) total_bad=$((total_bad + FAILED[$l]))
done
echo "layers: $layers_ok passed, $layers_bad failed"
echo "(tests counted from the vitest and Playwright reports; typecheck, lint and build count as one each)"
echo "$total_ok passed, $total_bad failed"
[ "$layers_bad" -eq 0 ]
