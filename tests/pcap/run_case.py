#!/usr/bin/python3
# tests/pcap/run_case.py - run protowall on one case's pcap(s) and check its logs against case.json.
"""Usage: run_case.py --binary BIN CASEDIR

case.json keys:
  description      why the expectations are what they are (Zeek 9's semantics)
  pcap             file name or list of names, relative to CASEDIR
  args             extra arguments (e.g. ["-C"], ["--format", "json"])
  exit             expected exit status (default 0)
  stderr_contains  list of substrings that stderr must contain
  logs_absent      logs that must not be written (e.g. ["weird"])
  checks           list of {"log", "where", "count", "fields", "absent", "set_fields",
                   "tunnel_parent_of"}:
                     where   {field: value} selects rows (all when missing)
                     count   number of selected rows
                     fields  {field: value}: exact values on the single selected row
                             (TSV: the string as written; JSON: the JSON value)
                     absent  [field]: JSON only, keys that must be omitted
                     set_fields {field: [values]}: a set column compared unordered
                     tunnel_parent_of {"log": .., "where": ..} or a list of them: this
                             row's tunnel_parents must be exactly the uids of those rows
                     uid_of  {"log": .., "where": ..}: this row's uid is that row's
Exit 0 when every check passes, 1 otherwise (with a diff on stdout).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import zeeklog  # noqa: E402


def matches(row, where):
    for k, want in (where or {}).items():
        have = row.get(k)
        if have != want and str(have) != str(want):
            return False
    return True


def select(logs, check, problems):
    name = check["log"]
    if name not in logs:
        problems.append("%s.log: not written (needed by check %s)" % (name, json.dumps(check)))
        return None
    return [r for r in logs[name].rows if matches(r, check.get("where"))]


def one_row(logs, check, problems):
    rows = select(logs, check, problems)
    if rows is None:
        return None
    if len(rows) != 1:
        problems.append("%s.log where %s: expected exactly 1 row, found %d" %
                        (check["log"], json.dumps(check.get("where", {})), len(rows)))
        for r in rows:
            problems.append("    row: %s" % json.dumps(r))
        return None
    return rows[0]


def run_check(logs, check, problems):
    label = "%s.log where %s" % (check["log"], json.dumps(check.get("where", {})))
    if "count" in check:
        rows = select(logs, check, problems) if check["log"] in logs else []
        if rows is not None and len(rows) != check["count"]:
            problems.append("%s: count %d, expected %d" % (label, len(rows), check["count"]))
    if not any(k in check for k in ("fields", "absent", "set_fields", "tunnel_parent_of", "uid_of")):
        return
    row = one_row(logs, check, problems)
    if row is None:
        return
    for k, want in check.get("fields", {}).items():
        if k not in row:
            problems.append("%s: field %s missing, expected %r" % (label, k, want))
        elif row[k] != want:
            problems.append("%s: %s = %r, expected %r" % (label, k, row[k], want))
    for k in check.get("absent", []):
        if k in row:
            problems.append("%s: key %s present (%r), expected it omitted" % (label, k, row[k]))
    for k, want in check.get("set_fields", {}).items():
        have = zeeklog.split_set(row.get(k))
        if have != sorted(want):
            problems.append("%s: set %s = %r, expected %r" % (label, k, have, sorted(want)))
    parents = check.get("tunnel_parent_of")
    if parents:
        prows = [one_row(logs, p, problems) for p in (parents if isinstance(parents, list) else [parents])]
        if None not in prows:
            have = zeeklog.split_set(row.get("tunnel_parents"))
            want = sorted(p.get("uid") for p in prows)
            if have != want:
                problems.append("%s: tunnel_parents = %r, expected the uids of %s = %r" %
                                (label, have, json.dumps(parents), want))
    other = check.get("uid_of")
    if other:
        orow = one_row(logs, other, problems)
        if orow is not None and row.get("uid") != orow.get("uid"):
            problems.append("%s: uid = %r, expected the uid of %s.log where %s = %r" %
                            (label, row.get("uid"), other["log"], json.dumps(other.get("where", {})),
                             orow.get("uid")))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--keep", action="store_true", help="keep the output directory and print it")
    ap.add_argument("casedir")
    a = ap.parse_args()

    with open(os.path.join(a.casedir, "case.json")) as f:
        case = json.load(f)
    pcaps = case["pcap"] if isinstance(case["pcap"], list) else [case["pcap"]]
    pcaps = [os.path.join(a.casedir, p) for p in pcaps]

    out = tempfile.mkdtemp(prefix="pwcase-")
    cmd = [a.binary, "read", "--seed", "1", "-o", out] + case.get("args", []) + pcaps
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        print("FAIL %s: cannot run %s: %s" % (os.path.basename(a.casedir), " ".join(cmd), e))
        return 1
    stderr = proc.stderr.decode("utf-8", "replace")

    problems = []
    want_exit = case.get("exit", 0)
    if proc.returncode != want_exit:
        problems.append("exit status %d, expected %d" % (proc.returncode, want_exit))
    for s in case.get("stderr_contains", []):
        if s not in stderr:
            problems.append("stderr lacks %r" % s)

    logs = {}
    for fn in sorted(os.listdir(out)):
        if fn.endswith(".log"):
            logs[fn[:-4]] = zeeklog.read(os.path.join(out, fn))
    for name in case.get("logs_absent", []):
        if name in logs:
            problems.append("%s.log written, expected none (%d rows)" % (name, len(logs[name].rows)))
            for r in logs[name].rows:
                problems.append("    row: %s" % json.dumps(r))
    for check in case.get("checks", []):
        run_check(logs, check, problems)

    name = os.path.basename(os.path.normpath(a.casedir))
    if problems:
        print("FAIL %s: %s" % (name, case.get("description", "")))
        print("command: %s" % " ".join(cmd))
        for p in problems:
            print("  " + p)
        if stderr:
            print("stderr:\n" + stderr.rstrip())
        print("logs in %s: %s" % (out, ", ".join(sorted(logs)) or "(none)"))
        return 1
    print("ok %s" % name)
    if a.keep:
        print(out)
    else:
        for fn in os.listdir(out):
            os.unlink(os.path.join(out, fn))
        os.rmdir(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
