#!/usr/bin/python3
# tests/lib/sniff_tools.py - checks and fixtures for tests/scripts/test_sniff.sh: rotated names, stdout JSON, stats rows, GENEVE captures.
"""usage:
  sniff_tools.py split-stdout FILE DIR       JSON lines with _path -> DIR/<path>.log (without _path)
  sniff_tools.py rotated DIR LOG MIN          >= MIN files DIR/LOG.<%Y-%m-%d-%H-%M-%S>[-N].log, each TSV
                                              with #open equal to its name and a #close last line
  sniff_tools.py closed FILE                  FILE is a TSV log ending with its #close line
  sniff_tools.py workers DIR N                stats.log (with stats.moved.log, rows written before a move) has rows of worker-1..N, each with pkts_proc > 0,
                                              and capture_loss.log rows of the same peers
  sniff_tools.py geneve IN OUT VNI            wrap every frame of IN in GENEVE (UDP 6081) into OUT
  sniff_tools.py has-conn DIR PORT [STATE]    conn.log (rotated ones too) has a flow to PORT [in STATE]
Exit 0 when the check holds; 1 with the reason otherwise.
"""
import glob
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zeeklog  # noqa: E402

STAMP = r"\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}"


def fail(msg):
    print(msg)
    return 1


def split_stdout(path, outdir):
    os.makedirs(outdir, exist_ok=True)
    outs = {}
    n = 0
    with open(path) as f:
        for line in f:
            obj = json.loads(line)          # every line must be a JSON object
            p = obj.pop("_path")            # ... with _path
            if p not in outs:
                outs[p] = open(os.path.join(outdir, p + ".log"), "w")
            outs[p].write(json.dumps(obj) + "\n")
            n += 1
    for o in outs.values():
        o.close()
    print("%d JSON lines, logs: %s" % (n, ",".join(sorted(outs))))
    return 0 if n > 0 else fail("no JSON lines on stdout")


def closed(path):
    with open(path) as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or not lines[0].startswith("#separator"):
        return fail("%s: no TSV header" % path)
    if not re.match(r"^#close\t" + STAMP + "$", lines[-1]):
        return fail("%s: last line is not #close: %r" % (path, lines[-1]))
    return 0


def rotated(d, log, minimum):
    names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(d, log + ".*.log")))
    pat = re.compile(r"^" + re.escape(log) + r"\.(" + STAMP + r")(-\d+)?\.log$")
    good = 0
    for n in names:
        m = pat.match(n)
        if not m:
            return fail("%s: not a Zeek rotated name" % n)
        if closed(os.path.join(d, n)) != 0:
            return 1
        with open(os.path.join(d, n)) as f:
            opened = [l for l in f.read().split("\n") if l.startswith("#open\t")]
        if not opened or opened[0].split("\t")[1] != m.group(1):
            return fail("%s: #open %s does not match the name" % (n, opened))
        good += 1
    if good < minimum:
        return fail("%s: %d rotated files, want at least %d (%s)" % (log, good, minimum, names))
    print("%s: %d rotated files, named by their #open, each with #close" % (log, good))
    return 0


def rows_with_moved(d, name):
    """The rows of NAME.log and, when the test moved the files away before a SIGHUP, of
    NAME.moved.log: a row written before the move is in the moved file."""
    rows = []
    for f in (name + ".moved.log", name + ".log"):
        if os.path.exists(os.path.join(d, f)):
            rows += zeeklog.read(os.path.join(d, f)).rows
    return rows


def workers(d, n):
    stats_rows = rows_with_moved(d, "stats")
    loss_rows = rows_with_moved(d, "capture_loss")
    want = ["worker-%d" % i for i in range(1, n + 1)]
    procs = {}
    for r in stats_rows:
        procs[r["peer"]] = procs.get(r["peer"], 0) + int(r["pkts_proc"])
        for f in ("pkts_dropped", "pkts_link", "mem"):
            if r.get(f) in (None, "-"):
                return fail("stats.log: %s unset in %s" % (f, r))
    if sorted(procs) != want or any(procs[w] == 0 for w in want):
        return fail("stats.log: packets per worker %s, want each of %s above 0" % (procs, want))
    peers = sorted(set(r["peer"] for r in loss_rows))
    if peers != want:
        return fail("capture_loss.log: peers %s, want %s" % (peers, want))
    acks = sum(int(r["acks"]) for r in loss_rows)
    print("stats.log packets per worker %s; capture_loss.log acks %d" % (procs, acks))
    return 0 if acks > 0 else fail("capture_loss.log: no acks counted")


def geneve(src, dst, vni):
    from scapy.all import IP, UDP, Ether, PcapReader, PcapWriter, Raw
    from scapy.contrib.geneve import GENEVE
    out = PcapWriter(dst, linktype=1, sync=False)
    for pkt in PcapReader(src):
        raw = bytes(pkt)
        inner = Ether(raw)
        # The outer source port follows the inner flow (as a tunnel endpoint's ECMP hash does).
        ports = 0
        if inner.haslayer("IP") and inner["IP"].payload and len(bytes(inner["IP"].payload)) >= 4:
            l4 = bytes(inner["IP"].payload)
            ports = int.from_bytes(l4[0:2], "big") ^ int.from_bytes(l4[2:4], "big")
        sport = 49152 + ports % 16384
        o = (Ether(src="02:00:00:00:06:01", dst="02:00:00:00:06:02") /
             IP(src="192.0.2.1", dst="192.0.2.2", ttl=64) / UDP(sport=sport, dport=6081) /
             GENEVE(vni=vni, proto=0x6558) / Raw(raw))
        o.time = pkt.time
        out.write(o)
    out.close()
    return 0


def has_conn(d, port, state=None):
    for p in glob.glob(os.path.join(d, "conn.log")) + glob.glob(os.path.join(d, "conn.*.log")):
        for r in zeeklog.read(p).rows:
            if str(r.get("id.resp_p")) == port and (state is None or r.get("conn_state") == state):
                print("%s: flow to port %s, conn_state %s, history %s" % (os.path.basename(p), port,
                                                                        r.get("conn_state"), r.get("history")))
                return 0
    return fail("%s: no conn.log row for port %s%s" % (d, port, " in state " + state if state else ""))


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    cmd, a = argv[1], argv[2:]
    if cmd == "split-stdout":
        return split_stdout(a[0], a[1])
    if cmd == "rotated":
        return rotated(a[0], a[1], int(a[2]))
    if cmd == "closed":
        return closed(a[0])
    if cmd == "workers":
        return workers(a[0], int(a[1]))
    if cmd == "geneve":
        return geneve(a[0], a[1], int(a[2]))
    if cmd == "has-conn":
        return has_conn(a[0], a[1], a[2] if len(a) > 2 else None)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
