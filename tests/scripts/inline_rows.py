#!/usr/bin/python3
"""tests/scripts/inline_rows.py - find exact rows in a Zeek JSON log for test_inline.sh.

usage: inline_rows.py LOG SKIP [--count N] [--loose] FIELD=VALUE...

Looks at the rows after the first SKIP lines of LOG. A row matches when every FIELD=VALUE holds
(numbers compared as text) and, unless --loose, the row has no field besides the given ones and
ts, uid and id.orig_p (which vary from run to run): the given fields are the whole row. Exits 0
when exactly N rows match (default 1), else prints the rows it saw and exits 1.
"""
import json
import sys


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    path, skip = args[0], int(args[1])
    want_count, loose, want = 1, False, {}
    rest = args[2:]
    i = 0
    while i < len(rest):
        a = rest[i]
        if a == "--count":
            want_count = int(rest[i + 1])
            i += 2
            continue
        if a == "--loose":
            loose = True
            i += 1
            continue
        k, _, v = a.partition("=")
        want[k] = v
        i += 1
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()[skip:]
    except OSError as e:
        print(f"cannot read {path}: {e}")
        return 1
    rows = [json.loads(l) for l in lines if l.startswith("{")]
    free = {"ts", "uid", "id.orig_p"}
    n = 0
    for r in rows:
        if any(k not in r or str(r[k]) != v for k, v in want.items()):
            continue
        if not loose and set(r) - set(want) - free:
            continue
        n += 1
    if n == want_count:
        return 0
    print(f"  want {want_count} row(s) with {want}, found {n}; rows after line {skip}:")
    for r in rows:
        print("   ", json.dumps({k: v for k, v in r.items() if k not in free}))
    return 1


if __name__ == "__main__":
    sys.exit(main())
