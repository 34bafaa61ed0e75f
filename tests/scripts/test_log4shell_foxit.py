#!/usr/bin/env python3
# tests/scripts/test_log4shell_foxit.py - Fox-IT's Log4Shell captures over LDAP: the lookup in URI
# parameters, User-Agent, X-Api-Version, Basic auth and the method line, nine obfuscations each.
# Every chain stage present in a capture must be noticed, the callback host decoded from the
# obfuscated string must be the host the victim called, and the stages must be one incident.
# --table prints the results as the Markdown table docs/detection.md carries.
import glob
import os
import subprocess
import sys
import tempfile

ROOT = os.environ.get("PW_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
import zeeklog  # noqa: E402

BIN = os.environ.get("PW_BIN", os.path.join(ROOT, "build", "protowall"))
SHARED = os.environ.get("PW_SHARED", os.path.join(ROOT, "..", "shared"))
DIR = os.path.join(SHARED, "testdata", "log4shell", "fox-it-ldap")
ATTEMPTS = ("LOG4J_ATTEMPT_HEADER", "LOG4J_ATTEMPT_URI", "LOG4J_ATTEMPT_AUTH", "LOG4J_ATTEMPT_METHOD",
            "LOG4J_ATTEMPT_BODY")


def rows(path):
    return zeeklog.read(path).rows if os.path.exists(path) else []


def sub_value(sub, key):
    for part in sub.split(", "):
        if part.startswith(key + "="):
            return part[len(key) + 1:]
    return None


def main():
    table = "--table" in sys.argv
    pcaps = sorted(glob.glob(os.path.join(DIR, "ldap-*.pcap")) + glob.glob(os.path.join(DIR, "log4shell-ldaps-*.pcapng")))
    if not pcaps:
        print("skipped: %s absent" % DIR)
        return 77
    passed = failed = 0
    lines = ["| capture | attempt | decoded host | victim called | callback | referral | class download | incident |",
             "|---|---|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        for pcap in pcaps:
            name = os.path.splitext(os.path.basename(pcap))[0]
            out = os.path.join(tmp, name)
            subprocess.run([BIN, "read", "-C", "-q", "--seed", "1", "-o", out, pcap], check=False)
            conn = rows(os.path.join(out, "conn.log"))
            notes = rows(os.path.join(out, "notice.log"))
            called = sorted(set(r["id.resp_h"] for r in conn if "ldap" in r["service"]))
            if name.startswith("log4shell-ldaps"):
                # LDAP inside TLS from the first byte: the victim names the host in its SNI.
                called = sorted(set(r["server_name"] for r in rows(os.path.join(out, "ssl.log"))))
            ldap_hosts = set(r["id.resp_h"] for r in conn if "ldap" in r["service"] or "ssl" in r["service"])
            fetched = [r for r in conn if r["service"] == "http" and r["id.resp_h"] in ldap_hosts]
            attempts = [n for n in notes if n["note"].split("::")[-1] in ATTEMPTS]
            decoded = sorted(set(sub_value(n["sub"], "payload_host") for n in attempts))

            def has(note):
                return any(n["note"] == "CVE_2021_44228::" + note for n in notes)

            problems = []
            if not attempts:
                problems.append("no attempt noticed")
            if called and decoded != called:
                problems.append("decoded host %s, victim called %s" % (decoded, called))
            if called and not has("LOG4J_CALLBACK"):
                problems.append("no callback notice")
            if called and not has("LOG4J_LDAP_JAVA") and not name.startswith("log4shell-ldaps"):
                problems.append("no LDAP referral notice")
            if fetched and not has("LOG4J_JAVA_CLASS_DOWNLOAD"):
                problems.append("no class download notice")
            ids = set(n["incident_id"] for n in notes)
            if len(ids) != 1 or "-" in ids:
                problems.append("incidents %s" % sorted(ids))
            if problems:
                failed += 1
                print("FAIL: %s: %s" % (name, "; ".join(problems)))
            else:
                passed += 1
            kinds = sorted(set(n["note"].split("::")[-1].replace("LOG4J_ATTEMPT_", "").lower() for n in attempts))
            lines.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
                name, ",".join(kinds) or "-", ",".join(decoded) or "-", ",".join(called) or "-",
                "yes" if has("LOG4J_CALLBACK") else "no", "yes" if has("LOG4J_LDAP_JAVA") else "no",
                ("yes" if has("LOG4J_JAVA_CLASS_DOWNLOAD") else "no") if fetched else "n/a",
                "one" if len(ids) == 1 and "-" not in ids else "%d" % len(ids)))
    if table:
        print("\n".join(lines))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
