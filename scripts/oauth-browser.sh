#!/usr/bin/env bash
# MCP OAuth sign-in end to end in headless Chromium: a scripted MCP client
# discovers, registers, authorizes with PKCE in the browser (our consent page,
# the simulator's Zoho login and consent), exchanges the code and calls /mcp.
# Needs Debian `chromium` + `chromium-driver` and Python `selenium`.
# Screenshots go to $OAUTH_ARTIFACTS (default target/oauth-browser).
#
# Runs against the `oauth_demo` example (simulator + store + OAuth routes +
# a stand-in /mcp that checks bearers like the auth layer). Set
# SDP_MCP_OAUTH_DEMO_CMD to run another server that prints the same JSON line
# ({"base","email","password"}) on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
WORK=$(mktemp -d)
ARTIFACTS=${OAUTH_ARTIFACTS:-$PWD/target/oauth-browser}
PYTHON=${PYTHON:-python3}
if [ -x "$TOOLS/venv/bin/python" ] && "$TOOLS/venv/bin/python" -c 'import selenium' 2>/dev/null; then
  PYTHON="$TOOLS/venv/bin/python"
fi
if [ -z "${SDP_MCP_OAUTH_DEMO_CMD:-}" ]; then
  cargo build -q -p sdp-mcp-server --example oauth_demo
  SDP_MCP_OAUTH_DEMO_CMD="$CARGO_TARGET_DIR/debug/examples/oauth_demo"
fi
mkfifo "$WORK/ready"
$SDP_MCP_OAUTH_DEMO_CMD >"$WORK/ready" 2>"$WORK/server.log" &
PIDS+=($!)
read -r LINE <"$WORK/ready"
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$LINE" "$1"; }
BASE=$(field base)
if ! "$PYTHON" scripts/oauth_browser.py "$BASE" "$(field email)" "$(field password)" "$ARTIFACTS"; then
  tail -50 "$WORK/server.log" >&2
  exit 1
fi
echo "screenshots in $ARTIFACTS"
