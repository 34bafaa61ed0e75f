#!/usr/bin/env bash
# tests/scripts/test_log4shell_benign.sh - benign traffic raises no Log4Shell notice: every Zeek
# parity trace, and the bench corpus when it has been built (bench/make-corpus).
set -u
ROOT=${PW_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${PW_BIN:-$ROOT/build/protowall}
SHARED=${PW_SHARED:-$ROOT/../shared}
tmp=$(mktemp -d /tmp/pw-benign.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

traces=()
if [ -d "$SHARED/testdata/zeek-parity" ]; then
    while IFS= read -r f; do traces+=("$f"); done < <(find "$SHARED/testdata/zeek-parity" -name '*.pcap' -o -name '*.pcapng' | sort)
fi
[ -f "$ROOT/bench/cache/corpus.pcap" ] && traces+=("$ROOT/bench/cache/corpus.pcap")
if [ ${#traces[@]} -eq 0 ]; then
    echo "skipped: no benign traces (../shared absent, bench corpus not built)"
    exit 77
fi
passed=0 failed=0
for t in "${traces[@]}"; do
    out=$tmp/$(basename "$t")
    "$BIN" read -C -q -o "$out" "$t" >/dev/null 2>&1
    if [ -f "$out/notice.log" ] && grep -v '^#' "$out/notice.log" | grep -q .; then
        echo "FAIL: $(basename "$t"): notices on benign traffic:"
        grep -v '^#' "$out/notice.log" | cut -f2-6,11,13 | cut -c1-240
        failed=$((failed + 1))
    else
        passed=$((passed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
