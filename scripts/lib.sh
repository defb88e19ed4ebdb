# Shared helpers of the interop scripts (sourced, not run).
# shellcheck shell=bash

TOOLS=${SDP_MCP_TOOLS_DIR:-/var/tmp/sdp-mcp-ci}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/sdp-mcp-target}
SDP_MCP_BIN=${SDP_MCP_BIN:-$CARGO_TARGET_DIR/debug/sdp-mcp}
PIDS=()

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_for_url URL: polls until URL answers (a start-up wait in a script, bounded to 30 s).
wait_for_url() {
  local url=$1
  for _ in $(seq 1 300); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "timed out waiting for $url" >&2
  return 1
}

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# start_sim_and_server WORKDIR [API_KEY]: starts `sdp-mcp sim` writing per-user env files
# and `sdp-mcp serve` configured from .env.user1 exactly as a per-user setup would be.
# Sets SIM_URL and MCP_BASE.
start_sim_and_server() {
  local work=$1 key=${2:-}
  local sim_port server_port
  sim_port=$(free_port)
  server_port=$(free_port)
  "$SDP_MCP_BIN" sim --listen "127.0.0.1:$sim_port" --write-env "$work/env" >"$work/sim.log" 2>&1 &
  PIDS+=($!)
  SIM_URL="http://127.0.0.1:$sim_port"
  wait_for_url "$SIM_URL/_sim/clock"
  (
    cd "$work"
    set -a
    # shellcheck disable=SC1091
    . "$work/env/.env.user1"
    set +a
    export SDP_HTTP_PORT=$server_port SDP_HTTP_HOST=127.0.0.1
    if [ -n "$key" ]; then export SDP_MCP_API_KEY=$key; fi
    exec "$SDP_MCP_BIN" serve
  ) >"$work/server.log" 2>&1 &
  PIDS+=($!)
  MCP_BASE="http://127.0.0.1:$server_port"
  wait_for_url "$MCP_BASE/health"
}
