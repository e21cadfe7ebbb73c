#!/usr/bin/env bash
# Runs each fuzz target for a while, starting from the kept corpus, on
# stable Rust (cargo-fuzz with --sanitizer none). New inputs go to a
# temporary folder, so the kept corpus only changes when you merge them
# (see README.md). Exits non-zero if a target finds a crash; the input is
# left in fuzz/artifacts/<target>/.
#
#   fuzz/run.sh              # 60 seconds per target
#   fuzz/run.sh 600 detection
set -euo pipefail
cd "$(dirname "$0")"

seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(notebook_span_map detection scan_then_fix)
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for target in "${targets[@]}"; do
    mkdir -p "$work/$target"
    inputs=("corpus/$target")
    if [ -d "regressions/$target" ]; then
        inputs+=("regressions/$target")
    fi
    echo "== $target: ${seconds}s"
    cargo fuzz run --sanitizer none --debug-assertions "$target" \
        "$work/$target" "${inputs[@]}" -- \
        -max_total_time="$seconds" -timeout=10 -max_len=16384 -rss_limit_mb=2048 \
        -dict=dict/imds.dict -print_final_stats=1
done
