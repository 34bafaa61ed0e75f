#!/usr/bin/env bash
# tests/scripts/test_log4shell_live.sh - the whole Log4Shell chain with real programs, recorded
# now: a JVM resolving a JNDI lookup it received over HTTP, slapd on 443 answering with a
# javaNamingReference, the class served over HTTP on 443, the reverse shell to 443
# (scripts/make-demo-capture builds it in two network namespaces). Read back, every stage must be
# a notice and all of them one incident.
set -u
ROOT=${PW_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${PW_BIN:-$ROOT/build/protowall}
PY=${PYTHON:-/usr/bin/python3}

if [ "$(id -u)" -ne 0 ]; then
    echo "skipped: needs root (network namespaces, tcpdump, slapd)"
    exit 77
fi
tmp=$(mktemp -d /tmp/pw-live.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

if ! bash "$ROOT/scripts/make-demo-capture" "$tmp/live.pcap" >"$tmp/capture.log" 2>&1; then
    cat "$tmp/capture.log"
    echo "0 passed, 1 failed"
    exit 1
fi
"$BIN" read -q --seed 1 -o "$tmp/out" "$tmp/live.pcap" || { echo "0 passed, 1 failed"; exit 1; }

"$PY" - "$tmp/out" "$ROOT" <<'PYEOF'
import os, sys
sys.path.insert(0, os.path.join(sys.argv[2], "tests", "lib"))
import zeeklog
out = sys.argv[1]
rows = zeeklog.read(os.path.join(out, "notice.log")).rows if os.path.exists(os.path.join(out, "notice.log")) else []
passed = failed = 0
def check(ok, what):
    global passed, failed
    passed += ok
    failed += not ok
    if not ok:
        print("FAIL: " + what)
def notes(name, **where):
    return [r for r in rows if r["note"] == "CVE_2021_44228::" + name and all(r[k] == v for k, v in where.items())]
for r in rows:
    print("%s %s:%s -> %s:%s %s" % (r["note"], r["id.orig_h"], r["id.orig_p"], r["id.resp_h"], r["id.resp_p"], r["incident_id"]))
# The script sends two requests: the lookup plain in User-Agent, then obfuscated in X-Api-Version.
hdr = notes("LOG4J_ATTEMPT_HEADER", **{"id.resp_p": "8080"})
check(len(hdr) == 2, "two lookup attempts in headers, got %d" % len(hdr))
check(any("header name='USER-AGENT'" in r["sub"] for r in hdr), "User-Agent attempt")
check(any("header name='X-API-VERSION'" in r["sub"] and "payload_host=192.0.2.66" in r["sub"] for r in hdr),
      "obfuscated X-Api-Version attempt decoded to the callback host 192.0.2.66")
cb = notes("LOG4J_CALLBACK", **{"id.resp_h": "192.0.2.66", "id.resp_p": "443"})
check(len(cb) == 2 and all("service=ldap_tcp" in r["sub"] for r in cb), "two LDAP callbacks to 192.0.2.66:443, got %d" % len(cb))
check(len(notes("LOG4J_LDAP_JAVA", **{"id.resp_p": "443"})) >= 1, "LDAP referral on 443")
dl = notes("LOG4J_JAVA_CLASS_DOWNLOAD", **{"id.resp_h": "192.0.2.67", "id.resp_p": "443"})
check(len(dl) == 2, "two class downloads from 192.0.2.67:443, got %d" % len(dl))
sh = notes("REVERSE_SHELL", **{"id.resp_h": "192.0.2.68", "id.resp_p": "443"})
check(len(sh) == 2 and all("after_chain=T" in r["sub"] for r in sh), "two reverse shells to 192.0.2.68:443, got %d" % len(sh))
ids = set(r["incident_id"] for r in rows)
check(len(ids) == 1 and "-" not in ids, "one incident for the chain, got %s" % sorted(ids))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PYEOF
status=$?
exit $status
