#!/usr/bin/env python3
# tests/scripts/test_log4shell_corelight.py - Corelight's CVE-2021-44228 package traces: every notice
# in their baselines is produced (same note, same connection, same key sub fields), log4j.log and
# the http.log tag match, and ours fill in what they miss, with one incident per chain.
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.environ.get("PW_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
import zeeklog  # noqa: E402

BIN = os.environ.get("PW_BIN", os.path.join(ROOT, "build", "protowall"))
SHARED = os.environ.get("PW_SHARED", os.path.join(ROOT, "..", "shared"))
BASE = os.path.join(SHARED, "testdata", "log4shell", "corelight")

# baseline folder -> trace it was made from (their btests name the trace in the test file)
CASES = {
    "log4j.log4j-attack": "log4j-attack.pcap",
    "log4j.log4j-user_agent": "log4j-user_agent.pcap",
    "log4j.log4j-webapp": "log4j-webapp.pcap",
    "log4j.ldap_java": "log4j-webapp.pcap",
    "log4j.log4j-dns_exfil": "log4j-dns_exfil.pcap",
    "log4j.notice": "spcap-CEXKLs3NQWdEM2CoMj-1639421287179170294-1.pcap",
    "log4j.log4j-log": "log4j-user_agent.pcap",
}

# What Corelight misses and we must add (reference/log4shell.md §1.4), per trace: note -> count.
EXTRA = {
    "log4j-attack.pcap": {"LOG4J_ATTEMPT_BODY": 2, "LOG4J_CALLBACK": 2, "REVERSE_SHELL": 1},
    "log4j-user_agent.pcap": {"LOG4J_CALLBACK": 1, "REVERSE_SHELL": 1},
    "log4j-webapp.pcap": {"LOG4J_ATTEMPT_BODY": 1, "LOG4J_CALLBACK": 2, "REVERSE_SHELL": 1},
    "log4j-dns_exfil.pcap": {"LOG4J_CALLBACK": 2, "DNS_EXFIL": 1},
    "spcap-CEXKLs3NQWdEM2CoMj-1639421287179170294-1.pcap": {},
}

HEADER_KEYS = ("uri", "payload_host", "payload_port", "method", "is_orig", "header name", "header value")

passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what)


def sub_fields(sub):
    """Corelight's sub: key=value pairs separated by ', ', quoted values may hold anything. Ours
    follow theirs (scheme=, normalized=, encodings=) and are cut off first."""
    sub = re.sub(r"' scheme=[a-z0-9]*, normalized='.*$", "' ", sub)
    out = {}
    for m in re.finditer(r"(uri|payload_uri|payload_stem|payload_host|payload_port|method|is_orig|header name|header value)="
                         r"('(?:[^']|'(?!,|\s*$))*'|[^,]*)", sub):
        out[m.group(1)] = m.group(2).strip("'")
    return out


def short(note):
    return note.split("::")[-1]


def run(trace, outdir):
    r = subprocess.run([BIN, "read", "-C", "--seed", "1", "-q", "-o", outdir, os.path.join(BASE, "Traces", trace)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        print(r.stderr)
    return r.returncode


def rows(path):
    if not os.path.exists(path):
        return []
    return zeeklog.read(path).rows


def main():
    if not os.path.isdir(BASE):
        print("skipped: %s absent" % BASE)
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        outs = {}
        for trace in sorted(set(CASES.values())):
            out = os.path.join(tmp, trace)
            os.makedirs(out)
            check(run(trace, out) == 0, "%s: protowall read exit status" % trace)
            outs[trace] = out
        for case, trace in sorted(CASES.items()):
            out = outs[trace]
            ours = rows(os.path.join(out, "notice.log"))
            base_notice = os.path.join(BASE, "Baseline", case, "notice.log")
            for b in rows(base_notice):
                cands = [o for o in ours if o["note"] == b["note"] and o["id.orig_h"] == b["id.orig_h"] and
                         o["id.orig_p"] == b["id.orig_p"] and o["id.resp_h"] == b["id.resp_h"] and
                         o["id.resp_p"] == b["id.resp_p"]]
                if short(b["note"]) == "LOG4J_ATTEMPT_HEADER":
                    want = {k: v for k, v in sub_fields(b["sub"]).items() if k in HEADER_KEYS}
                    cands = [o for o in cands if {k: v for k, v in sub_fields(o["sub"]).items() if k in HEADER_KEYS} == want]
                else:
                    cands = [o for o in cands if o["sub"] == b["sub"]]
                check(len(cands) >= 1, "%s: baseline notice %s %s:%s -> %s:%s not produced with its sub" %
                      (case, short(b["note"]), b["id.orig_h"], b["id.orig_p"], b["id.resp_h"], b["id.resp_p"]))
                check(all(o["msg"] == b["msg"] for o in cands), "%s: %s msg differs" % (case, short(b["note"])))
            base_log4j = os.path.join(BASE, "Baseline", case, "log4j.log")
            if os.path.exists(base_log4j):
                want = [{k: v for k, v in r.items() if k not in ("ts", "uid")} for r in rows(base_log4j)]
                got = [{k: v for k, v in r.items() if k not in ("ts", "uid")} for r in rows(os.path.join(out, "log4j.log"))]
                check(got == want, "%s: log4j.log rows\n  want %s\n  got  %s" % (case, want, got))
            base_http = os.path.join(BASE, "Baseline", case, "http.log")
            if os.path.exists(base_http):
                want = [r["tags"] for r in rows(base_http)]
                got = [r["tags"] for r in rows(os.path.join(out, "http.log"))]
                check(got == want, "%s: http.log tags want %s got %s" % (case, want, got))
        # Ours: what Corelight misses, tied into one incident per chain.
        for trace, extra in sorted(EXTRA.items()):
            ours = rows(os.path.join(outs[trace], "notice.log"))
            counts = {}
            for o in ours:
                counts[short(o["note"])] = counts.get(short(o["note"]), 0) + 1
            for note, n in extra.items():
                check(counts.get(note, 0) == n, "%s: %s notices: want %d, got %d" % (trace, note, n, counts.get(note, 0)))
            ids = set(o["incident_id"] for o in ours)
            check("-" not in ids, "%s: every notice belongs to an incident (%s)" % (trace, sorted(ids)))
            if trace in ("log4j-attack.pcap", "log4j-user_agent.pcap", "log4j-dns_exfil.pcap"):
                check(len(ids) == 1, "%s: one chain, one incident: got %s" % (trace, sorted(ids)))
            print("%s: %s" % (trace, ", ".join("%s=%d" % kv for kv in sorted(counts.items()))))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
