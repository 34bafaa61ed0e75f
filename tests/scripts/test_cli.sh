#!/usr/bin/env bash
# tests/scripts/test_cli.sh - the command line's promises: version, help, usage errors exit 2.
set -u
bin=${PW_BIN:?PW_BIN not set}
pass=0 fail=0
check() {   # check NAME EXPECTED_STATUS PATTERN -- command...
    local name=$1 want=$2 pat=$3; shift 4
    local out st
    out=$("$@" 2>&1); st=$?
    if [ "$st" -eq "$want" ] && grep -qE -e "$pat" <<<"$out"; then pass=$((pass + 1))
    else fail=$((fail + 1)); echo "FAIL $name: status $st (want $want), output: $out"; fi
}
check version 0 '^protowall [0-9]+\.[0-9]+\.[0-9]+$' -- "$bin" version
check help 0 'read \[options\] FILE' -- "$bin" --help
check read-help 0 '--seed N' -- "$bin" read --help
check no-command 2 'usage: protowall' -- "$bin"
check unknown-command 2 'unknown command "frobnicate"' -- "$bin" frobnicate
check bad-format 2 '--format: expected tsv or json, got "xml"' -- "$bin" read --format xml x.pcap
check bad-seed 2 '--seed: not a number: "abc"' -- "$bin" read --seed abc x.pcap
check no-file 2 'no capture file given' -- "$bin" read
check bad-outdir 2 'protowall: /proc/none' -- "$bin" read -o /proc/none/x "$PW_ROOT/examples/log4shell-demo.pcap"
demo="$PW_ROOT/examples/log4shell-demo.pcap"
# A pipe: read takes it (the format is told by bytes it then gives back); sniff -r refuses it.
piped() { local d rc; d=$(mktemp -d); cat "$demo" | "$bin" "$@" /dev/stdin -o "$d"; rc=$?; rm -rf "$d"; return $rc; }
check read-pipe 0 'notices' -- piped read
check sniff-r-pipe 2 'not a regular file.*use protowall read' -- piped sniff -w 2 -r
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
