#!/usr/bin/env bash
# MCP OAuth sign-in with the official Python MCP SDK's own OAuth client
# (mcp.client.auth.OAuthClientProvider) against the real binary: `sdp-mcp demo`
# (simulator + store + server with OAuth sign-in on). The SDK discovers,
# registers, authorizes with PKCE (the browser step in headless Chromium),
# exchanges the code, connects over Streamable HTTP, calls whoami and
# list_requests as the signed-in Zoho user (checked against the store), and
# refreshes its token. Needs the venv of scripts/install-test-tools.sh
# (mcp, selenium) and Debian `chromium` + `chromium-driver`.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
WORK=$(mktemp -d)
PYTHON=$TOOLS/venv/bin/python
if ! "$PYTHON" -c 'import mcp, selenium' 2>/dev/null; then
  echo "mcp or selenium is missing in $TOOLS/venv: run scripts/install-test-tools.sh" >&2
  exit 1
fi
cargo build -q -p sdp-mcp
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
"$SDP_MCP_BIN" demo --listen "127.0.0.1:$PORT" --data-dir "$WORK/data" >"$WORK/demo.out" 2>"$WORK/server.log" &
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
if ! "$PYTHON" scripts/oauth_sdk_client.py "$BASE" "$EMAIL" "$PASSWORD" "$SDP_MCP_BIN" "$WORK/data"; then
  tail -50 "$WORK/server.log" >&2
  exit 1
fi
