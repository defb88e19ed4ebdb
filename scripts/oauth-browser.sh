#!/usr/bin/env bash
# MCP OAuth sign-in end to end in headless Chromium against the real binary:
# `sdp-mcp demo` (simulator + store + server with OAuth sign-in on). A scripted
# MCP client discovers, registers, authorizes with PKCE in the browser (our
# consent page, the simulator's Zoho login and consent), exchanges the code and
# calls tools (whoami, list_requests) over /mcp with the access token.
# Needs Debian `chromium` + `chromium-driver` and Python `selenium`
# (scripts/install-test-tools.sh installs them). Screenshots go to
# $OAUTH_ARTIFACTS (default target/oauth-browser).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
WORK=$(mktemp -d)
ARTIFACTS=${OAUTH_ARTIFACTS:-$PWD/target/oauth-browser}
PYTHON=$TOOLS/venv/bin/python
if ! "$PYTHON" -c 'import selenium' 2>/dev/null; then
  echo "selenium is missing in $TOOLS/venv: run scripts/install-test-tools.sh" >&2
  exit 1
fi
cargo build -q -p sdp-mcp
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
"$SDP_MCP_BIN" demo --listen "127.0.0.1:$PORT" >"$WORK/demo.out" 2>"$WORK/server.log" &
PIDS+=($!)
wait_for_url "$BASE/health"
# The demo prints its instructions, ending with the Ctrl-C line (bounded to 30 s).
for _ in $(seq 1 300); do
  if grep -q 'Ctrl-C' "$WORK/demo.out"; then break; fi
  sleep 0.1
done
EMAIL=$(sed -n 's/^OAuth sign-in email: *//p' "$WORK/demo.out")
PASSWORD=$(sed -n 's/^OAuth sign-in password: *//p' "$WORK/demo.out")
if [ -z "$EMAIL" ] || [ -z "$PASSWORD" ]; then
  echo "sdp-mcp demo printed no OAuth sign-in hint:" >&2
  cat "$WORK/demo.out" >&2
  exit 1
fi
if ! "$PYTHON" scripts/oauth_browser.py "$BASE" "$EMAIL" "$PASSWORD" "$ARTIFACTS"; then
  tail -50 "$WORK/server.log" >&2
  exit 1
fi
echo "screenshots in $ARTIFACTS"
