#!/usr/bin/env bash
# tests/scripts/test_log4shell_live_rmi.sh - the Log4Shell chain over RMI with real programs,
# recorded now (scripts/make-rmi-capture): a web app's JVM resolves ${jndi:rmi://...} from a
# request header, a JVM RMI registry on 443 returns a javax.naming.Reference, the factory class is
# fetched over HTTP on 443, and it opens a reverse shell to 443. Every stage must be a notice of
# one incident.
set -u
ROOT=${PW_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${PW_BIN:-$ROOT/build/protowall}
PY=${PYTHON:-/usr/bin/python3}

if [ "$(id -u)" -ne 0 ]; then
    echo "skipped: needs root (network namespaces, tcpdump)"
    exit 77
fi
tmp=$(mktemp -d /tmp/pw-live-rmi.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

if ! bash "$ROOT/scripts/make-rmi-capture" "$tmp/live.pcap" >"$tmp/capture.log" 2>&1; then
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
path = os.path.join(out, "notice.log")
rows = zeeklog.read(path).rows if os.path.exists(path) else []
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
check(len(notes("LOG4J_ATTEMPT_HEADER", **{"id.resp_p": "8080"})) == 1, "the lookup attempt in User-Agent")
cb = notes("LOG4J_CALLBACK", **{"id.resp_h": "192.0.2.76", "id.resp_p": "443"})
check(len(cb) == 1 and "scheme=rmi" in cb[0]["sub"] and "service=rmi" in cb[0]["sub"], "the RMI callback on 443")
ref = notes("LOG4J_RMI_JAVA", **{"id.resp_p": "443"})
check(len(ref) == 1 and "codebase=http://192.0.2.77:443/" in ref[0]["sub"] and "factory=Exploit" in ref[0]["sub"],
      "the Reference over RMI with its codebase and factory")
check(len(notes("LOG4J_JAVA_CLASS_DOWNLOAD", **{"id.resp_h": "192.0.2.77", "id.resp_p": "443"})) == 1, "the class download")
check(len(notes("REVERSE_SHELL", **{"id.resp_h": "192.0.2.78", "id.resp_p": "443"})) == 1, "the reverse shell")
conn = zeeklog.read(os.path.join(out, "conn.log")).rows
check(any(r["service"] == "rmi" and r["id.resp_p"] == "443" for r in conn), "conn.log names RMI on 443")
rmi = zeeklog.read(os.path.join(out, "rmi.log")).rows if os.path.exists(os.path.join(out, "rmi.log")) else []
check(len(rmi) == 1 and "javax.naming.Reference" in rmi[0].get("classes", ""), "rmi.log lists javax.naming.Reference")
ids = set(r["incident_id"] for r in rows)
check(len(ids) == 1 and "-" not in ids, "one incident, got %s" % sorted(ids))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PYEOF
status=$?
exit $status
