# Sourced by setup.sh and test.sh: installs node_modules unless they are newer than the manifests.
ensure_node_modules() {
  if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package.json ] \
    && { [ ! -f package-lock.json ] || [ node_modules/.package-lock.json -nt package-lock.json ]; }; then
    echo "up to date"
    return
  fi
  if [ ! -f package-lock.json ]; then
    npm install --no-audit --no-fund
    return
  fi
  local log try
  log=$(mktemp)
  # npm ci only: a lockfile it refuses is a bug to fix (npm install --package-lock-only), not
  # something to paper over with npm install. A registry that does not answer is retried.
  for try in 1 2 3; do
    if npm ci --no-audit --no-fund >"$log" 2>&1; then
      tail -n 1 "$log"
      rm -f "$log"
      return 0
    fi
    grep -m 5 'npm error' "$log" >&2 || true
    grep -q 'EUSAGE' "$log" && break
    [ "$try" -lt 3 ] && { echo "npm ci failed (try $try of 3); retrying in 30 s" >&2; sleep 30; }
  done
  rm -f "$log"
  echo "npm ci failed; if package.json and package-lock.json disagree, run: npm install --package-lock-only" >&2
  return 1
}

# Fails when npm ci would refuse the committed lockfile, whatever node_modules holds.
check_lockfile() {
  if npm ci --dry-run --no-audit --no-fund >/dev/null 2>&1; then
    echo "package-lock.json matches package.json (npm ci accepts it)"
  else
    npm ci --dry-run --no-audit --no-fund 2>&1 | grep -m 5 'npm error' >&2
    echo "npm ci refuses package-lock.json; run: npm install --package-lock-only" >&2
    return 1
  fi
}
