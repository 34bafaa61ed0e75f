#!/usr/bin/python3
# tests/lib/sniff_compare.py - compare two log directories row for row, ignoring what depends on timing or on random uids.
"""usage: sniff_compare.py DIR_A DIR_B [--logs conn,http,dns,ssh] [--mask f,...] [--min-rows log=N,...]
                        [--tunnelled] [--times-b K]

Each log is read from DIR/<log>.log and any rotated DIR/<log>.*.log (TSV or JSON lines).
Rows are compared as multisets (live capture with several workers interleaves them) after
dropping the masked columns; columns that hold uids (conn_uids, tunnel_parents) are
compared as "set or not". --tunnelled: A was captured as a VXLAN/GENEVE mirror of B's traffic,
so A's outer tunnel flows (UDP 4789, 6081) are left out, every other conn row of A must name a
tunnel parent, and tunnel_parents is otherwise ignored. --times-b K: A holds each of B's rows K
times (K mirror sessions). Exit 0 if every log matches, 1 with the differences otherwise.
"""
import argparse
import collections
import glob
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zeeklog  # noqa: E402

# Wall-clock or random: never equal between two runs. (rtt: tcpdump keeps microseconds, a live
# capture nanoseconds, and a replay its own pace.)
DEFAULT_MASK = ["ts", "uid", "duration", "fuid", "ts_delta", "rtt"]
UID_COLUMNS = ["conn_uids", "tunnel_parents", "uids", "orig_fuids", "resp_fuids"]


def load(d, name):
    """Rows of every file of the log, and its columns; a set column's value is sorted (Zeek
    gives sets no order)."""
    rows, fields = [], []
    paths = sorted(glob.glob(os.path.join(d, name + ".log")) + glob.glob(os.path.join(d, name + ".*.log")))
    for p in paths:
        log = zeeklog.read(p)
        for f in log.fields:
            if f not in fields:
                fields.append(f)
        sets = [f for f, t in zip(log.fields, log.types) if t.startswith("set[")]
        for r in log.rows:
            for f in sets:
                if r.get(f) not in (None, "-", "(empty)"):
                    r[f] = ",".join(sorted(r[f].split(",")))
        rows.extend(log.rows)
    return fields, rows


DECIMAL = re.compile(r"^-?[0-9]+\.[0-9]+$")


def scalar(v):
    """TSV and JSON spellings of one value made alike: T/F, and decimals with 6 places (TSV
    writes 0.000000 where JSON writes 0.0)."""
    if isinstance(v, bool):
        return "T" if v else "F"
    s = str(v)
    return "%.6f" % float(s) if DECIMAL.match(s) else s


def norm(v):
    if isinstance(v, list):
        return ",".join(sorted(scalar(x) for x in v)) if v else "(empty)"
    if v is None:
        return "-"
    if isinstance(v, str) and "," in v:
        return ",".join(sorted(scalar(x) for x in v.split(",")))
    return scalar(v)


def key(row, fields, mask):
    out = []
    for f in fields:
        if f in mask:
            continue
        v = row.get(f)
        if f in UID_COLUMNS:
            out.append((f, "set" if v not in (None, "-", "(empty)", []) else "-"))
        else:
            out.append((f, norm(v)))
    return tuple(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--logs", default="conn,http,dns,ssh")
    ap.add_argument("--mask", default="")
    ap.add_argument("--min-rows", default="", help="log=N,...: fail if a log has fewer rows in A")
    ap.add_argument("--tunnelled", action="store_true")
    ap.add_argument("--times-b", type=int, default=1)
    args = ap.parse_args()
    mask = set(DEFAULT_MASK + [m for m in args.mask.split(",") if m])
    if args.tunnelled:
        mask.add("tunnel_parents")
    mins = dict((kv.split("=")[0], int(kv.split("=")[1])) for kv in args.min_rows.split(",") if kv)
    bad = 0
    for name in [n for n in args.logs.split(",") if n]:
        fa, ra = load(args.a, name)
        fb, rb = load(args.b, name)
        fields = fa or fb
        if args.tunnelled and name == "conn":
            ra = [r for r in ra if not (r.get("proto") == "udp" and str(r.get("id.resp_p")) in ("4789", "6081"))]
            orphans = [r for r in ra if r.get("tunnel_parents") in (None, "-", "(empty)", [])]
            if orphans:
                bad += 1
                print("conn: %d inner rows without tunnel_parents, e.g. %s" % (len(orphans), orphans[0]))
        rb = rb * args.times_b
        ca = collections.Counter(key(r, fields, mask) for r in ra)
        cb = collections.Counter(key(r, fields, mask) for r in rb)
        only_a, only_b = ca - cb, cb - ca
        status = "ok" if not only_a and not only_b else "DIFFERENT"
        if len(ra) < mins.get(name, 0):
            status = "TOO FEW ROWS (want %d)" % mins[name]
        print("%-14s %5d rows in A, %5d in B: %s" % (name, len(ra), len(rb), status))
        if status != "ok":
            bad += 1
            for label, c in (("only in A", only_a), ("only in B", only_b)):
                for k, n in list(c.items())[:8]:
                    print("   %s (x%d): %s" % (label, n, " ".join("%s=%s" % kv for kv in k)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
