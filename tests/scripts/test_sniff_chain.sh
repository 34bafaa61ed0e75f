#!/usr/bin/env bash
# tests/scripts/test_sniff_chain.sh - the bundled Log4Shell capture replayed live (tcpreplay, at its
# own pace) onto a veth while `protowall sniff --workers 2` captures it: the fanout spreads the
# chain's flows over both workers, and the detector's shared table of watched hosts must still
# tie every stage into one incident.
set -u
ROOT=${PW_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${PW_BIN:-$ROOT/build/protowall}
PY=${PYTHON:-/usr/bin/python3}
export PATH=$PATH:/usr/sbin:/sbin

[ "$(id -u)" = 0 ] || { echo "skipped: needs root (network namespaces, packet sockets)"; exit 77; }
command -v tcpreplay >/dev/null || { echo "skipped: tcpreplay missing (scripts/bootstrap installs it)"; exit 77; }
NS=pwsc-$$ A=pwsca$$ B=pwscb$$
W=$(mktemp -d /tmp/pw-sniff-chain.XXXXXX)
cleanup() {
    set +e
    [ -n "${SNIFF:-}" ] && kill "$SNIFF" 2>/dev/null
    ip netns del "$NS" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT

ip netns add "$NS"
ip link add "$A" netns "$NS" type veth peer name "$B" netns "$NS"
ip netns exec "$NS" ip link set "$A" up
ip netns exec "$NS" ip link set "$B" up
ip netns exec "$NS" "$BIN" sniff -i "$A" --workers 2 --seed 1 -o "$W/logs" -q 2>"$W/sniff.err" &
SNIFF=$!
for i in $(seq 1 50); do grep -q . "$W/sniff.err" 2>/dev/null && break; [ -d "$W/logs" ] && break; sleep 0.1; done
sleep 1
ip netns exec "$NS" tcpreplay -q -i "$B" "$ROOT/examples/log4shell-demo.pcap" >"$W/replay.log" 2>&1
sleep 1
kill -TERM "$SNIFF"
wait "$SNIFF"
SNIFF=

"$PY" - "$W/logs" "$ROOT" <<'PYEOF'
import os, sys
sys.path.insert(0, os.path.join(sys.argv[2], "tests", "lib"))
import zeeklog
out = sys.argv[1]
passed = failed = 0
def check(ok, what):
    global passed, failed
    passed += ok
    failed += not ok
    if not ok:
        print("FAIL: " + what)
rows = zeeklog.read(os.path.join(out, "notice.log")).rows if os.path.exists(os.path.join(out, "notice.log")) else []
conn = zeeklog.read(os.path.join(out, "conn.log")).rows if os.path.exists(os.path.join(out, "conn.log")) else []
for r in rows:
    print("%s %s:%s -> %s:%s %s" % (r["note"], r["id.orig_h"], r["id.orig_p"], r["id.resp_h"], r["id.resp_p"], r["incident_id"]))
tcp = [r for r in conn if r["proto"] == "tcp"]
check(len(tcp) == 8, "the 8 TCP connections captured, got %d" % len(tcp))
check(len([r for r in rows if r["note"].endswith("LOG4J_CALLBACK")]) == 2, "both callbacks noticed")
notes = set(r["note"].split("::")[-1] for r in rows)
for n in ("LOG4J_ATTEMPT_HEADER", "LOG4J_CALLBACK", "LOG4J_LDAP_JAVA", "LOG4J_JAVA_CLASS_DOWNLOAD", "REVERSE_SHELL"):
    check(n in notes, "%s noticed" % n)
check(len([r for r in rows if r["note"].endswith("LOG4J_LDAP_JAVA")]) == 1,
      "the second referral suppressed across workers (shared suppression table)")
ids = set(r["incident_id"] for r in rows)
check(len(ids) == 1 and "-" not in ids, "one incident across both workers, got %s" % sorted(ids))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PYEOF
status=$?
exit $status
