#!/usr/bin/env bash
# cargo deny (deny.toml): licenses, bans (duplicates, wildcards), sources (crates.io only) and
# RustSec advisories of the whole dependency graph. Installs cargo-deny into
# $SDP_MCP_TOOLS_DIR/cargo on first use (built from crates.io, several minutes) and runs offline:
# github.com, where the RustSec advisory database lives, is not reachable from CI, so the
# database is a local clone (from a mirror when one is on the machine). Without any database,
# advisories are skipped with a warning and the other three checks still run.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS=${SDP_MCP_TOOLS_DIR:-/var/tmp/sdp-mcp-ci}
DENY_VERSION=0.20.2 # needs Rust >= 1.88; built and checked with rustc 1.95
DENY=$TOOLS/cargo/bin/cargo-deny

if ! "$DENY" --version 2>/dev/null | grep -qx "cargo-deny $DENY_VERSION"; then
  echo "installing cargo-deny $DENY_VERSION into $TOOLS/cargo"
  CARGO_TARGET_DIR=$TOOLS/cargo-deny-build \
    cargo install cargo-deny --version "$DENY_VERSION" --locked --root "$TOOLS/cargo"
  rm -rf "$TOOLS/cargo-deny-build"
fi

DB=$TOOLS/advisory-db
MIRROR=${SDP_MCP_ADVISORY_DB_MIRROR:-/work/.mirror/rustsec+advisory-db/repo}
if [ ! -d "$DB/.git" ] && [ -d "$MIRROR" ]; then
  git clone --quiet "$MIRROR" "$DB"
elif [ -d "$DB/.git" ] && [ -d "$MIRROR" ]; then
  # A newer snapshot of the mirror, when there is one; the old clone stays usable otherwise.
  git -C "$DB" pull --quiet --ff-only || echo "note: could not update $DB from $MIRROR; using it as is" >&2
fi

if [ -d "$DB/.git" ]; then
  # cargo-deny opens <db-path>/advisory-db-<hash of the URL in deny.toml> (db-urls);
  # 3157b0e258782691 is the hash of https://github.com/rustsec/advisory-db.
  DBS=$TOOLS/advisory-dbs
  mkdir -p "$DBS"
  ln -sfn "$DB" "$DBS/advisory-db-3157b0e258782691"
  export SDP_MCP_ADVISORY_DBS=$DBS
  echo "advisory database: $DB, $(git -C "$DB" log -1 --format='commit %h of %cs')"
  exec "$DENY" --offline check --show-stats --hide-inclusion-graph
else
  cat >&2 <<EOF
WARNING: advisories SKIPPED: no RustSec advisory database at $DB, and no mirror at $MIRROR
to clone it from (github.com is not reachable here). Clone https://github.com/rustsec/advisory-db
into $DB (or set SDP_MCP_ADVISORY_DB_MIRROR) to check advisories. Checking licenses, bans
and sources only.
EOF
  exec "$DENY" --offline check --show-stats --hide-inclusion-graph licenses bans sources
fi
