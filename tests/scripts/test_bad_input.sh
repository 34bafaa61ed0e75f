#!/bin/sh
# tests/scripts/test_bad_input.sh - exit statuses and messages for a missing file, a non-capture and a truncated capture.
# Exit 0 pass, 1 fail, 77 skipped (binary not built).
set -u

bin="${PW_BIN:-}"
root="${PW_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
py="${PYTHON:-/usr/bin/python3}"
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
    echo "skipped: PW_BIN (${bin:-unset}) is not an executable"
    exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

check() {   # check WHAT CONDITION...: report one expectation
    what=$1
    shift
    if "$@"; then
        echo "ok   $what"
    else
        echo "FAIL $what"
        fail=1
    fi
}

# 1. A file that does not exist: status 2, stderr names it.
missing="$work/no-such-file.pcap"
mkdir "$work/o1"
"$bin" read -o "$work/o1" "$missing" >/dev/null 2>"$work/e1"
rc=$?
check "missing file: exit 2 (got $rc)" [ "$rc" -eq 2 ]
check "missing file: stderr names it" grep -q "no-such-file.pcap" "$work/e1"

# 2. A text file: not a capture, status 2, stderr names it.
printf 'this is not a capture\n' >"$work/notes.txt"
mkdir "$work/o2"
"$bin" read -o "$work/o2" "$work/notes.txt" >/dev/null 2>"$work/e2"
rc=$?
check "text file: exit 2 (got $rc)" [ "$rc" -eq 2 ]
check "text file: stderr names it" grep -q "notes.txt" "$work/e2"

# 3. A capture cut in the middle of its last packet: status 1, the complete packets are
#    logged, stderr says it was truncated. tcp-sf's last record is the final ACK (54 bytes).
src="$root/tests/pcap/tcp-sf/trace.pcap"
size=$(wc -c <"$src")
head -c $((size - 10)) "$src" >"$work/cut.pcap"
mkdir "$work/o3"
"$bin" read --seed 1 -o "$work/o3" "$work/cut.pcap" >/dev/null 2>"$work/e3"
rc=$?
check "truncated capture: exit 1 (got $rc)" [ "$rc" -eq 1 ]
check "truncated capture: stderr says truncated" grep -qi "truncated" "$work/e3"
check "truncated capture: conn.log written" [ -f "$work/o3/conn.log" ]
if [ -f "$work/o3/conn.log" ]; then
    if ! PYTHONPATH="$root/tests/lib" "$py" - "$work/o3/conn.log" <<'PYEOF'
import sys
import zeeklog
rows = zeeklog.read(sys.argv[1]).rows
want = {"history": "ShADadFf", "conn_state": "SF", "orig_pkts": "4", "resp_pkts": "4"}
if len(rows) != 1:
    print("FAIL truncated capture: %d conn rows, expected 1" % len(rows))
    sys.exit(1)
bad = {k: (rows[0].get(k), v) for k, v in want.items() if rows[0].get(k) != v}
if bad:
    print("FAIL truncated capture: conn row differs (ours, expected): %s" % bad)
    sys.exit(1)
print("ok   truncated capture: the 8 complete packets are in conn.log")
PYEOF
    then
        fail=1
    fi
fi

for f in "$work"/e1 "$work"/e2 "$work"/e3; do
    [ $fail -eq 0 ] || { echo "--- $(basename "$f"):"; cat "$f"; }
done
exit $fail
