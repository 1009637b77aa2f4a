#!/bin/sh
# Meshplane agent installer, served at GET /agent/install.sh with the server's address filled in:
#
#   curl -fsSL https://YOUR-HOST/agent/install.sh | sudo sh -s -- --key K [--process web] [--instance N] [--endpoint HOST:PORT]
#
# Checks the tools the agent needs, downloads the agent (one file, run by Node.js) from the
# server, checks its sha256, installs it, joins the network with the key, and runs it as the
# systemd service meshplane-agent.service. Without systemd, --no-systemd installs and joins only.
#
# Environment (for other layouts and for tests): MESHPLANE_INSTALL_DIR (the agent file,
# default /usr/local/lib/meshplane), MESHPLANE_BIN_DIR (the meshplane-agent command, default
# /usr/local/bin), MESHPLANE_UNIT_DIR (default /etc/systemd/system), MESHPLANE_STATE_DIR (the
# agent's --state-dir, default the agent's own), MESHPLANE_JOIN_KEY, MESHPLANE_PROCESS,
# MESHPLANE_INSTANCE, MESHPLANE_SERVER.
set -eu

# All in one function, called on the last line: a download cut short runs nothing.
main() {
SERVER="${MESHPLANE_SERVER:-__MESHPLANE_PUBLIC_URL__}"
KEY="${MESHPLANE_JOIN_KEY:-}"
TOKEN=""
PROCESS="${MESHPLANE_PROCESS:-}"
INSTANCE="${MESHPLANE_INSTANCE:-}"
ENDPOINT=""
SYSTEMD=yes
INSTALL_DIR="${MESHPLANE_INSTALL_DIR:-/usr/local/lib/meshplane}"
BIN_DIR="${MESHPLANE_BIN_DIR:-/usr/local/bin}"
UNIT_DIR="${MESHPLANE_UNIT_DIR:-/etc/systemd/system}"
STATE_DIR="${MESHPLANE_STATE_DIR:-}"
# Where a running systemd is seen (sd_booted(3)); a test points it elsewhere.
SYSTEMD_PROBE="${MESHPLANE_SYSTEMD_PROBE:-/run/systemd/system}"
AGENT=meshplane-agent.mjs

say() { printf 'meshplane install: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

usage() {
  cat >&2 <<EOF
usage: install.sh --key K [--server URL] [--process NAME] [--instance N] [--endpoint HOST:PORT] [--no-systemd]
       install.sh --token T --endpoint HOST:PORT [--server URL] [--no-systemd]
  --key K        the join key (from the member's page in Meshplane); or MESHPLANE_JOIN_KEY
  --token T      instead of a key: a one-time enrolment token from a host's page (\`meshplane-agent enroll\`)
  --server URL   the control plane (default: ${SERVER:-none, this server has no MESHPLANE_PUBLIC_URL})
  --process, --instance, --endpoint   passed to \`meshplane-agent join\`
  --no-systemd   install and join only; print how to run the agent
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --key) [ $# -ge 2 ] || { usage; exit 2; }; KEY="$2"; shift 2 ;;
    --key=*) KEY="${1#*=}"; shift ;;
    --token) [ $# -ge 2 ] || { usage; exit 2; }; TOKEN="$2"; shift 2 ;;
    --token=*) TOKEN="${1#*=}"; shift ;;
    --server) [ $# -ge 2 ] || { usage; exit 2; }; SERVER="$2"; shift 2 ;;
    --server=*) SERVER="${1#*=}"; shift ;;
    --process) [ $# -ge 2 ] || { usage; exit 2; }; PROCESS="$2"; shift 2 ;;
    --process=*) PROCESS="${1#*=}"; shift ;;
    --instance) [ $# -ge 2 ] || { usage; exit 2; }; INSTANCE="$2"; shift 2 ;;
    --instance=*) INSTANCE="${1#*=}"; shift ;;
    --endpoint) [ $# -ge 2 ] || { usage; exit 2; }; ENDPOINT="$2"; shift 2 ;;
    --endpoint=*) ENDPOINT="${1#*=}"; shift ;;
    --no-systemd) SYSTEMD=no; shift ;;
    -h|--help) usage; exit 0 ;;
    *) say "unknown option: $1"; usage; exit 2 ;;
  esac
done

# Run from a checkout rather than downloaded, the placeholder is still there: no default.
case "$SERVER" in __MESHPLANE_PUBLIC''_URL__) SERVER="" ;; esac
SERVER="${SERVER%/}"
[ -n "$SERVER" ] || die "no server: this Meshplane has no MESHPLANE_PUBLIC_URL set; pass --server https://YOUR-MESHPLANE (the address this host reaches it at)"
case "$SERVER" in http://*|https://*) ;; *) die "--server must be an http:// or https:// URL, not \"$SERVER\"" ;; esac
if [ -n "$TOKEN" ]; then
  [ -z "$KEY" ] || { say "give --key or --token, not both"; exit 2; }
  [ -n "$ENDPOINT" ] || { say "--token needs --endpoint HOST:PORT (the address other hosts reach this one at)"; exit 2; }
else
  [ -n "$KEY" ] || { say "no join key: pass --key K (make one on the member's page in Meshplane)"; usage; exit 2; }
fi

# --- the tools the agent needs ---------------------------------------------------------------
missing=""
need() { command -v "$1" >/dev/null 2>&1 || missing="$missing
  - $1: install $2"; }
need node "Node.js 20 or later (https://nodejs.org/en/download, or your distribution's nodejs package)"
need wg "wireguard-tools (apt install wireguard-tools / dnf install wireguard-tools)"
need ip "iproute2 (apt install iproute2)"
need nft "nftables (apt install nftables / dnf install nftables)"
if command -v node >/dev/null 2>&1 && ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' 2>/dev/null; then
  missing="$missing
  - node: this is Node.js $(node --version 2>/dev/null); the agent needs 20 or later (https://nodejs.org/en/download)"
fi
if ! command -v wireguard-go >/dev/null 2>&1 && [ ! -d /sys/module/wireguard ] && ! modprobe -n wireguard >/dev/null 2>&1; then
  missing="$missing
  - WireGuard: neither the kernel module (Linux 5.6+, or apt install wireguard-dkms) nor wireguard-go (apt install wireguard-go)"
fi
if command -v curl >/dev/null 2>&1; then
  fetch() { curl -fsSL --proto '=http,https' -o "$2" "$1"; }
elif command -v wget >/dev/null 2>&1; then
  fetch() { wget -q -O "$2" "$1"; }
else
  missing="$missing
  - curl or wget, to download the agent (apt install curl)"
fi
[ -z "$missing" ] || die "this host lacks what the Meshplane agent needs:$missing"

# --- systemd -----------------------------------------------------------------------------------
if [ "$SYSTEMD" = yes ] && { [ ! -d "$SYSTEMD_PROBE" ] || ! command -v systemctl >/dev/null 2>&1; }; then
  die "systemd is not running on this host, so the agent cannot be installed as a service.
  Run again with --no-systemd to install and join only; then start \`meshplane-agent run\`
  with your own supervisor (it must restart it, and start it after the network is up)."
fi

# --- download and verify -------------------------------------------------------------------------
mkdir -p "$INSTALL_DIR" || die "cannot create $INSTALL_DIR (run as root: curl … | sudo sh -s -- …)"
tmp="$INSTALL_DIR/.$AGENT.$$"
trap 'rm -f "$tmp" "$tmp.sha256"' EXIT INT TERM
say "downloading $SERVER/agent/$AGENT"
fetch "$SERVER/agent/$AGENT" "$tmp" || die "could not download $SERVER/agent/$AGENT (is --server the address this host reaches Meshplane at?)"
fetch "$SERVER/agent/$AGENT.sha256" "$tmp.sha256" || die "could not download $SERVER/agent/$AGENT.sha256"
expected=$(sed -n '1s/^\([0-9a-f]\{64\}\) .*/\1/p' "$tmp.sha256")
[ -n "$expected" ] || die "$SERVER/agent/$AGENT.sha256 is not a sha256 line"
if command -v sha256sum >/dev/null 2>&1; then
  actual=$(sha256sum "$tmp" | cut -d' ' -f1)
else
  actual=$(node -e 'process.stdout.write(require("crypto").createHash("sha256").update(require("fs").readFileSync(process.argv[1])).digest("hex"))' "$tmp")
fi
[ "$actual" = "$expected" ] || die "the downloaded agent's sha256 is $actual, the server says $expected: not installed (download again; if it persists, something between this host and the server alters it)"
chmod 0755 "$tmp"
mv -f "$tmp" "$INSTALL_DIR/$AGENT"
say "installed $INSTALL_DIR/$AGENT (sha256 $actual)"

NODE=$(command -v node)
mkdir -p "$BIN_DIR"
cat > "$BIN_DIR/meshplane-agent" <<EOF
#!/bin/sh
exec "$NODE" "$INSTALL_DIR/$AGENT" "\$@"
EOF
chmod 0755 "$BIN_DIR/meshplane-agent"

# --- join ------------------------------------------------------------------------------------------
if [ -n "$TOKEN" ]; then
  verb=enroll
  set -- enroll --server "$SERVER" --token "$TOKEN"
else
  verb=join
  set -- join --server "$SERVER" --key "$KEY"
  [ -z "$PROCESS" ] || set -- "$@" --process "$PROCESS"
  [ -z "$INSTANCE" ] || set -- "$@" --instance "$INSTANCE"
fi
[ -z "$ENDPOINT" ] || set -- "$@" --endpoint "$ENDPOINT"
[ -z "$STATE_DIR" ] || set -- "$@" --state-dir "$STATE_DIR"
say "joining: meshplane-agent $verb --server $SERVER ${TOKEN:+--token …}${KEY:+--key …} ${PROCESS:+--process $PROCESS }${INSTANCE:+--instance $INSTANCE }${ENDPOINT:+--endpoint $ENDPOINT}"
"$NODE" "$INSTALL_DIR/$AGENT" "$@" </dev/null || die "joining failed (the agent's message is above); the agent is installed: run \`meshplane-agent $verb --server $SERVER …\` again once that is fixed"

RUN="$NODE $INSTALL_DIR/$AGENT run${STATE_DIR:+ --state-dir $STATE_DIR}"
if [ "$SYSTEMD" = no ]; then
  say "joined. Without systemd, start the agent yourself (as root, restarted if it exits, after the network is up):
  $RUN"
  exit 0
fi

# --- the service -----------------------------------------------------------------------------------
mkdir -p "$UNIT_DIR"
cat > "$UNIT_DIR/meshplane-agent.service" <<EOF
[Unit]
Description=Meshplane agent (WireGuard private network)
Documentation=$SERVER
Wants=network-online.target
After=network-online.target

[Service]
ExecStart=$RUN
Restart=always
RestartSec=2

[Install]
WantedBy=multi-user.target
EOF
systemctl daemon-reload </dev/null
systemctl enable --now meshplane-agent.service </dev/null
say "joined and running: systemctl status meshplane-agent; journalctl -u meshplane-agent -f"
}

main "$@"
