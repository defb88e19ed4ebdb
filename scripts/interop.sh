#!/usr/bin/env bash
# Interop with the official Python MCP SDK over /mcp (both eras) and /sse, with API-key auth,
# against `sdp-mcp serve` configured from a simulated user's per-user .env file.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
WORK=$(mktemp -d)
KEY="interop-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
start_sim_and_server "$WORK" "$KEY"
if ! "$TOOLS/venv/bin/python" scripts/interop_python.py "$MCP_BASE" "$KEY"; then
  tail -50 "$WORK/server.log" >&2
  exit 1
fi
