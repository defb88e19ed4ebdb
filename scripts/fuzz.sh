#!/usr/bin/env bash
# Fuzzes the JSON-RPC body and tool-argument parsing of sdp-mcp-server for a
# bounded time and fails on the first crash (the input is kept under
# fuzz/artifacts/<target>/).
#
#   scripts/fuzz.sh                 # 45 s per target (2 targets), ~2.5 min with the build
#   FUZZ_SECONDS=20 scripts/fuzz.sh
#
# With a nightly toolchain (or FUZZ_ENGINE=cargo-fuzz) and cargo-fuzz
# installed it runs libFuzzer (`cargo fuzz run`, coverage-guided). Otherwise
# (stable Rust, the default) it runs the same target functions through the
# deterministic driver fuzz/src/bin/driver.rs: seeds, the corpus in
# fuzz/corpus/<target>/ and random mutations, no coverage feedback.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${FUZZ_SECONDS:-45}"
engine="${FUZZ_ENGINE:-auto}"
targets=(jsonrpc_body tool_arguments)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/sdp-mcp-target}"

if [[ "$engine" == auto ]]; then
    if command -v cargo-fuzz >/dev/null 2>&1 && rustc --version | grep -q nightly; then
        engine=cargo-fuzz
    else
        engine=driver
    fi
fi

cd "$root/fuzz"
case "$engine" in
    cargo-fuzz)
        for target in "${targets[@]}"; do
            mkdir -p "corpus/$target"
            cargo fuzz run "$target" -s none "corpus/$target" -- \
                -max_total_time="$seconds" -rss_limit_mb=2048
        done
        ;;
    driver)
        cargo build --quiet --no-default-features --bin driver
        for target in "${targets[@]}"; do
            mkdir -p "corpus/$target"
            # timeout: a hang is a failure too.
            timeout $((seconds + 60)) "$CARGO_TARGET_DIR/debug/driver" "$target" \
                --seconds "$seconds" --seed "${FUZZ_SEED:-$RANDOM}" --corpus "corpus/$target"
        done
        ;;
    *)
        echo "FUZZ_ENGINE must be auto, cargo-fuzz or driver, not $engine" >&2
        exit 2
        ;;
esac
