#!/usr/bin/env bash
# fuzz/run_fuzz.sh TARGET CORPUS SECONDS - a short libFuzzer run for make test; fails on any crash.
set -euo pipefail
target=$1 corpus=$2 secs=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
[ -d "$corpus" ] && cp -r "$corpus"/. "$work/corpus/" 2>/dev/null || true
cd "$work"
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
if "$target" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$work/" "$work/corpus" >"$work/out" 2>&1; then
    grep -E '^stat::number_of_executed_units|^stat::peak_rss' "$work/out" || true
    exit 0
fi
tail -60 "$work/out"
exit 1
