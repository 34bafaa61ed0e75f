#!/usr/bin/env bash
# tests/scripts/test_learn.sh - learn a baseline from recorded traffic, check the policy, and raise Baseline::New_Egress once per new tuple.
set -u
root=${PW_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
py=${PYTHON:-/usr/bin/python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
# check NAME COND...: passes when the command succeeds.
check() { local name=$1; shift; if "$@"; then ok; else bad "$name"; fi; }
# same NAME WANT GOT
same() {
    if [ "$2" = "$3" ]; then ok; else bad "$1"; diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | sed 's/^/  /'; fi
}

bin=${PW_BIN:?PW_BIN not set}
if "$bin" learn 2>&1 | grep -q 'unknown command'; then
    echo "skipped: learn command not wired"
    exit 77
fi
if ! "$py" -c 'import scapy' 2>/dev/null; then
    echo "skipped: scapy not installed"
    exit 77
fi
"$py" "$root/tests/learn/make_traffic.py" "$work" || { echo "FAIL cannot make the captures"; exit 1; }

# notices FILE: the Baseline::New_Egress rows of a TSV notice.log as "src dst p sub".
notices() {
    [ -f "$1" ] || return 0
    awk -F'\t' '/^#fields/ { for (i = 2; i <= NF; i++) col[$i] = i - 1; next } /^#/ { next }
        $col["note"] == "Baseline::New_Egress" { print $col["src"], $col["dst"], $col["p"], $col["sub"] }' "$1"
}

# The rules learned from base.pcap, comments left out: three clients, two in 10.0.0.0/24.
want_rules='default: { outbound: deny, inbound: allow }
rules:
  - name: learn-1-10.0.0.0-24-ssl
    action: allow
    direction: outbound
    src: "10.0.0.0/24"
    transport: tcp
    app: ssl
    domain: "*.example.com"
    dst_port: 443
  - name: learn-2-10.0.0.0-24-dns
    action: allow
    direction: outbound
    src: "10.0.0.0/24"
    transport: udp
    app: dns
    dst: "9.9.9.9"
    dst_port: 53
  - name: learn-3-10.0.0.0-24-unknown
    action: allow
    direction: outbound
    src: "10.0.0.0/24"
    transport: udp
    app: unknown
    dst: "17.253.1.1"
    dst_port: 123
  - name: learn-4-10.0.1.7-http
    action: allow
    direction: outbound
    src: "10.0.1.7"
    transport: tcp
    app: http
    domain: "www.example.org"
    dst_port: 80
  - name: learn-5-10.0.1.7-unknown
    action: allow
    direction: outbound
    src: "10.0.1.7"
    transport: tcp
    app: unknown
    dst: "52.1.2.3"
    dst_port: 9000
  - name: learn-6-10.0.1.7-dns
    action: allow
    direction: outbound
    src: "10.0.1.7"
    transport: udp
    app: dns
    dst: "9.9.9.9"
    dst_port: 53'

for b in "$bin" ${PW_BIN_ASAN:+"$PW_BIN_ASAN"}; do
    [ -x "$b" ] || continue
    n=$(basename "$b")
    w=$work/$n
    mkdir -p "$w/tsv" "$w/json" "$w/empty"

    # ---- learn ----
    "$b" read -q --seed 1 -o "$w/tsv" "$work/base.pcap"
    "$b" read -q --seed 1 -f json -o "$w/json" "$work/base.pcap"
    "$b" learn -q -o "$w/policy.yaml" "$w/tsv" 2>"$w/err"
    check "$n learn exit" [ $? -eq 0 -a ! -s "$w/err" ]
    same "$n learned rules" "$want_rules" "$(grep -v '^ *#' "$w/policy.yaml" | grep -v '^$')"
    same "$n policy check" "$w/policy.yaml: ok, 6 rules" "$("$b" policy check "$w/policy.yaml" 2>&1)"
    # The evidence: counts, hosts, first and last seen, inbound and internal counted only.
    check "$n evidence hosts" grep -qxF '  #   hosts: 10.0.0.5 (2), 10.0.0.6 (2)' "$w/policy.yaml"
    check "$n evidence name" grep -qxF '  #   a.example.com: 2 flows, 2023-11-14T22:13:21Z to 2023-11-14T22:13:23Z' "$w/policy.yaml"
    check "$n evidence counts" grep -qF 'conn.log rows 13: outbound 11 (learned), inbound 1, internal 1,' "$w/policy.yaml"
    # JSON logs teach the same policy.
    "$b" learn -q "$w/json" >"$w/policy-json.yaml"
    same "$n json logs" "$(grep -v '^# source:' "$w/policy.yaml")" "$(grep -v '^# source:' "$w/policy-json.yaml")"
    # Log files named one by one, gzip'd: the same again.
    gzip -c "$w/tsv/conn.log" >"$w/conn.log.gz"
    "$b" learn -q "$w/conn.log.gz" "$w/tsv/ssl.log" "$w/tsv/http.log" "$w/tsv/dns.log" >"$w/policy-files.yaml"
    same "$n named files" "$(grep -v '^# source:' "$w/policy.yaml")" "$(grep -v '^# source:' "$w/policy-files.yaml")"

    # ---- baseline notices ----
    mkdir -p "$w/same" "$w/new" "$w/newjson" "$w/min"
    "$b" read -q --seed 1 --baseline "$w/policy.yaml" -o "$w/same" "$work/base.pcap"
    check "$n same traffic: exit" [ $? -eq 0 ]
    same "$n same traffic: no notice" "" "$(notices "$w/same/notice.log")"
    "$b" read -q --seed 1 --baseline "$w/policy.yaml" -o "$w/new" "$work/new.pcap"
    # Three TLS flows to the new name are one tuple; d.example.com is inside *.example.com; the DNS
    # query for the new name goes to the learned resolver.
    same "$n new destination: one notice" "10.0.0.6 45.33.32.156 443 10.0.0.6 -> update.evil-cdn.net tcp/443 ssl" \
        "$(notices "$w/new/notice.log")"
    check "$n notice header" grep -q '^#fields	ts	uid	id.orig_h' "$w/new/notice.log"
    uid=$(awk -F'\t' '$11 == "Baseline::New_Egress" { print $2 }' "$w/new/notice.log")
    check "$n notice uid is a conn.log uid" grep -q "	$uid	10.0.0.6	" "$w/new/conn.log"
    "$b" read -q --seed 1 -f json --baseline "$w/policy.yaml" -o "$w/newjson" "$work/new.pcap"
    same "$n json notice" 1 "$(grep -c '"note":"Baseline::New_Egress"' "$w/newjson/notice.log")"
    check "$n json notice sub" grep -qF '"sub":"10.0.0.6 -> update.evil-cdn.net tcp/443 ssl"' "$w/newjson/notice.log"
    # A baseline with only what was seen twice: every other tuple is new, each once.
    "$b" learn -q --min-count 2 -o "$w/min.yaml" "$w/tsv"
    same "$n min-count check" "$w/min.yaml: ok, 1 rule" "$("$b" policy check "$w/min.yaml" 2>&1)"
    check "$n min-count left out" grep -qF '# Tuples seen fewer than 2 times are left out: 9 (listed at the end).' "$w/min.yaml"
    "$b" read -q --seed 1 --baseline "$w/min.yaml" -o "$w/min" "$work/base.pcap"
    same "$n min-count notices" "10.0.0.5 17.253.1.1 123 10.0.0.5 -> 17.253.1.1 udp/123 unknown
10.0.0.5 93.184.216.10 443 10.0.0.5 -> a.example.com tcp/443 ssl
10.0.0.5 93.184.216.11 443 10.0.0.5 -> b.example.com tcp/443 ssl
10.0.0.6 9.9.9.9 53 10.0.0.6 -> 9.9.9.9 udp/53 dns
10.0.0.6 93.184.216.10 443 10.0.0.6 -> a.example.com tcp/443 ssl
10.0.0.6 93.184.216.12 443 10.0.0.6 -> c.example.com tcp/443 ssl
10.0.1.7 151.101.1.5 80 10.0.1.7 -> www.example.org tcp/80 http
10.0.1.7 52.1.2.3 9000 10.0.1.7 -> 52.1.2.3 tcp/9000 unknown
10.0.1.7 9.9.9.9 53 10.0.1.7 -> 9.9.9.9 udp/53 dns" "$(notices "$w/min/notice.log" | sort)"

    # ---- errors: exit 2, before any packet is read ----
    "$b" learn >/dev/null 2>"$w/err"
    check "$n learn no args" [ $? -eq 2 ]
    same "$n learn empty dir" "protowall learn: no conn.log in $w/empty" "$("$b" learn "$w/empty" 2>&1 >/dev/null)"
    "$b" learn --min-count 0 "$w/tsv" >/dev/null 2>&1
    check "$n learn --min-count 0" [ $? -eq 2 ]
    printf 'default: { outbound: deny, inbound: allow }\nrules:\n  - { name: x, action: allow, app: corba }\n' \
        >"$w/bad.yaml"
    mkdir -p "$w/badout"
    msg=$("$b" read -q --baseline "$w/bad.yaml" -o "$w/badout" "$work/base.pcap" 2>&1)
    check "$n bad baseline exit" [ $? -eq 2 ]
    same "$n bad baseline message" \
        "protowall: $w/bad.yaml:3:36: field 'rules[0].app': unknown application 'corba' (see the list in docs/policy.md)" \
        "$msg"
    check "$n bad baseline: no logs" [ ! -s "$w/badout/conn.log" ]
    "$b" read -q --baseline "$w/none.yaml" -o "$w/badout" "$work/base.pcap" 2>/dev/null
    check "$n missing baseline exit" [ $? -eq 2 ]
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
