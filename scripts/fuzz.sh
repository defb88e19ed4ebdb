#!/usr/bin/env bash
# Fuzzes the JSON-RPC body and tool-argument parsing of sdp-mcp-server for a
# bounded time and fails on the first crash (the input is kept under
# fuzz/artifacts/<target>/).
#
#   scripts/fuzz.sh                 # 45 s per target (2 targets), ~2.5 min with the build
#   FUZZ_SECONDS=20 scripts/fuzz.sh
#
# FUZZ_ENGINE=driver (the default) runs the target functions through the
# deterministic driver fuzz/src/bin/driver.rs on stable Rust: seeds, the
# corpus in fuzz/corpus/<target>/ and random mutations, no coverage feedback;
# it shares the dev build of the workspace, so it builds in about a minute.
# FUZZ_ENGINE=cargo-fuzz runs libFuzzer (coverage-guided) through cargo-fuzz
# (`cargo install cargo-fuzz --locked --root /var/tmp/sdp-mcp-ci/cargo`); on
# stable it sets RUSTC_BOOTSTRAP=1 for cargo-fuzz's -Z flags. Its first,
# instrumented release build takes 10+ minutes on two cores; later runs reuse
# /var/tmp/sdp-mcp-fuzz-target.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${FUZZ_SECONDS:-45}"
engine="${FUZZ_ENGINE:-driver}"
targets=(jsonrpc_body tool_arguments)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/sdp-mcp-target}"

if [[ "$engine" == auto ]]; then
    engine=driver
fi

cd "$root/fuzz"
case "$engine" in
    cargo-fuzz)
        export PATH="/var/tmp/sdp-mcp-ci/cargo/bin:$PATH"
        if ! rustc --version | grep -q nightly; then
            export RUSTC_BOOTSTRAP=1
        fi
        export CARGO_TARGET_DIR=/var/tmp/sdp-mcp-fuzz-target
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
