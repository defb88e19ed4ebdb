#!/usr/bin/env bash
# Regenerates README.md's tool table from `sdp-mcp tools list --format markdown`.
set -euo pipefail
cd "$(dirname "$0")/.."
table=$(mktemp)
cargo run --quiet -p sdp-mcp -- tools list --format markdown >"$table"
python3 - "$table" <<'PY'
import sys
table = open(sys.argv[1]).read()
readme = open("README.md").read()
start, end = "<!-- START AUTOMATED TOOLS -->\n", "<!-- END AUTOMATED TOOLS -->"
head, rest = readme.split(start, 1)
_, tail = rest.split(end, 1)
open("README.md", "w").write(head + start + table + end + tail)
PY
