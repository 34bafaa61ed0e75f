#!/bin/sh
# tests/scripts/test_hostile.sh - reads every hostile capture under ASan+UBSan; fails on a sanitizer report or a crash.
# Exit 0 all clean, 1 any failure, 77 skipped (no ../shared or no sanitizer binary).
set -u

dir="${PW_SHARED:-}/testdata/hostile"
if [ -z "${PW_SHARED:-}" ] || [ ! -d "$dir" ]; then
    echo "skipped: ${PW_SHARED:-../shared}/testdata/hostile not found"
    exit 77
fi
bin="${PW_BIN_ASAN:-}"
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
    echo "skipped: PW_BIN_ASAN (${bin:-unset}) is not an executable"
    exit 77
fi

ASAN_OPTIONS=detect_leaks=1:halt_on_error=1
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS UBSAN_OPTIONS

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
n=0
for f in "$dir"/*.pcap*; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    name=$(basename "$f")
    out="$work/$name"
    mkdir -p "$out"
    "$bin" read -q -o "$out" "$f" >"$out/stdout.txt" 2>"$out/stderr.txt"
    rc=$?
    if grep -q -E 'ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer' "$out/stderr.txt"; then
        echo "FAIL $name: sanitizer report (exit $rc)"
        sed 's/^/    /' "$out/stderr.txt" | head -40
        fail=1
    elif [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
        echo "FAIL $name: exit status $rc (only 0 or 1 allowed)"
        sed 's/^/    /' "$out/stderr.txt" | head -20
        fail=1
    else
        echo "ok $name (exit $rc)"
    fi
done
if [ "$n" -eq 0 ]; then
    echo "FAIL: no captures in $dir"
    exit 1
fi
exit $fail
