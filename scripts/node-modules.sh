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
  local log
  log=$(mktemp)
  if npm ci --no-audit --no-fund >"$log" 2>&1; then
    tail -n 1 "$log"
  else
    # npm ci refuses a lockfile without every platform's optional packages (some registry
    # mirrors lack them); then install from the lockfile without rewriting it.
    grep -m 3 'npm error' "$log" >&2 || true
    echo "npm ci failed (above); installing with npm install --no-save instead" >&2
    npm install --no-audit --no-fund --no-save
  fi
  rm -f "$log"
}
