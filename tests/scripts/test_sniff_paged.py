#!/usr/bin/python3
# tests/scripts/test_sniff_paged.py - the fanout keeps a mirrored flow on one worker when a frame's inner headers are in paged data, as a NIC driver leaves them.
"""A tap device in NAPI-frags mode (IFF_NAPI_FRAGS) builds each frame the way a NIC driver with
a copybreak does: the first iovec of a write() is the skb's linear part, the rest goes into page
fragments. VXLAN-encapsulated TCP flows (outer source ports differing by direction, as Linux's
vxlan device and mirroring sources send them) are written into it: small frames whole in the
linear part, large ones with only the outer Ethernet/IP/UDP headers linear (ENA keeps 256 bytes
and pulls the outer headers). `protowall sniff -w 2` on the tap must log every inner flow once,
whole (a fanout program that could not read the inner headers of the large frames sent them to
the first worker and split the flows whose hash chose the second), and both workers must have
had a share. The same frames written to a pcap and read give the same conn rows.
Exit: 0 all passed, 1 any failed, 77 skipped (not root, no tap or namespaces)."""
import fcntl
import os
import signal
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.environ.get("PW_ROOT", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BIN = os.environ.get("PW_BIN", os.path.join(ROOT, "build", "protowall"))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
import zeeklog  # noqa: E402

TUNSETIFF = 0x400454CA
IFF_TAP, IFF_NO_PI, IFF_NAPI, IFF_NAPI_FRAGS = 0x0002, 0x1000, 0x0010, 0x0020
FLOWS = 40
LINEAR_OUTER = 14 + 20 + 8      # what stays linear of a large frame: outer Ethernet, IP, UDP
LARGE = 256                     # frames longer than this go paged (a 256-byte copybreak)

PASS = FAIL = 0


def check(name, ok, detail=""):
    global PASS, FAIL
    if ok:
        PASS += 1
        print("PASS " + name)
    else:
        FAIL += 1
        print("FAIL " + name + (": " + detail if detail else ""))


def skip(why):
    print("SKIP test_sniff_paged: " + why)
    sys.exit(77)


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(src, dst, proto, payload):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, 64, proto, 0,
                      bytes(src), bytes(dst))
    return hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:] + payload


def tcp(src, dst, sport, dport, seq, ack, flags, data=b""):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    pseudo = bytes(src) + bytes(dst) + struct.pack("!BBH", 0, 6, len(hdr) + len(data))
    c = csum(pseudo + hdr + data)
    return ip4(src, dst, 6, hdr[:16] + struct.pack("!H", c) + hdr[18:] + data)


def udp(src, dst, sport, dport, payload):
    # Checksum 0: allowed over IPv4, and what Linux's vxlan device sends by default.
    return ip4(src, dst, 17, struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload)


def eth(dst, src, etype, payload):
    return bytes(dst) + bytes(src) + struct.pack("!H", etype) + payload


MAC_A, MAC_B = [2, 0, 0, 0, 0, 0xA], [2, 0, 0, 0, 0, 0xB]
MAC_M, MAC_S = [2, 0, 0, 0, 0, 0x1], [2, 0, 0, 0, 0, 0x2]
MIRROR, SENSOR = [10, 200, 0, 1], [10, 200, 0, 2]


def vxlan_frame(inner_ip, outer_sport):
    inner = eth(MAC_B, MAC_A, 0x0800, inner_ip)
    vx = struct.pack("!II", 0x08000000, 7 << 8) + inner
    return eth(MAC_S, MAC_M, 0x0800, udp(MIRROR, SENSOR, outer_sport, 4789, vx))


def flow_frames(i):
    """One TCP conversation, both ways: 100 bytes up, 1200 down; the down segment is large."""
    c, s = [172, 16, 1, 1 + i], [172, 16, 2, 1 + (i * 7) % 200]
    cp, sp = 40000 + i, 8000 + i % 5
    up, down = 30000 + i, 40000 + i          # outer ports differ by direction
    a, b = 1000, 5000
    seg = [
        (c, s, cp, sp, a, 0, 0x02, b"", up),
        (s, c, sp, cp, b, a + 1, 0x12, b"", down),
        (c, s, cp, sp, a + 1, b + 1, 0x10, b"", up),
        (c, s, cp, sp, a + 1, b + 1, 0x18, b"u" * 100, up),
        (s, c, sp, cp, b + 1, a + 101, 0x18, b"d" * 1200, down),
        (c, s, cp, sp, a + 101, b + 1201, 0x10, b"", up),
        (c, s, cp, sp, a + 101, b + 1201, 0x11, b"", up),
        (s, c, sp, cp, b + 1201, a + 102, 0x11, b"", down),
        (c, s, cp, sp, a + 102, b + 1202, 0x10, b"", up),
    ]
    return [vxlan_frame(tcp(src, dst, spt, dpt, sq, ak, fl, data), outer)
            for src, dst, spt, dpt, sq, ak, fl, data, outer in seg]


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for n, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + n // 1000, (n % 1000) * 1000, len(fr), len(fr)))
            f.write(fr)


def inner_rows(logdir):
    rows = zeeklog.read(os.path.join(logdir, "conn.log")).rows
    return [r for r in rows if r["id.orig_h"].startswith("172.16.")]


def in_namespace(work):
    """Runs inside the test's namespace: the tap, the sniffer, the frames."""
    try:
        tun = os.open("/dev/net/tun", os.O_RDWR)
        ifr = struct.pack("16sH22x", b"pwpaged0", IFF_TAP | IFF_NO_PI | IFF_NAPI | IFF_NAPI_FRAGS)
        fcntl.ioctl(tun, TUNSETIFF, ifr)
    except OSError as e:
        return 77, "no tap device in NAPI-frags mode: %s" % e
    for cmd in (["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"], ["ip", "link", "set", "lo", "up"],
                ["ip", "link", "set", "pwpaged0", "up"]):
        subprocess.run(cmd, check=True)
    frames = [fr for i in range(FLOWS) for fr in flow_frames(i)]
    write_pcap(os.path.join(work, "frames.pcap"), frames)
    err = open(os.path.join(work, "sniff.err"), "w+")
    sniff = subprocess.Popen([BIN, "sniff", "-i", "pwpaged0", "-w", "2", "-o", os.path.join(work, "live"),
                              "--ring-mb", "8", "--stats-interval", "3600"], stdout=subprocess.DEVNULL, stderr=err)
    for _ in range(100):
        time.sleep(0.1)
        err.seek(0)
        if "capturing on" in err.read():
            break
    else:
        sniff.kill()
        return 1, "sniff did not start: " + open(err.name).read()
    paged = 0
    for fr in frames:
        if len(fr) > LARGE:
            os.writev(tun, [fr[:LINEAR_OUTER], fr[LINEAR_OUTER:]])
            paged += 1
        else:
            os.write(tun, fr)
        time.sleep(0.0005)
    time.sleep(1.0)
    sniff.send_signal(signal.SIGTERM)
    rc = sniff.wait(timeout=60)
    os.close(tun)
    err.seek(0)
    return rc, "%d frames, %d paged; %s" % (len(frames), paged, err.read().strip())


def main():
    if os.geteuid() != 0:
        skip("needs root (network namespaces, tap devices)")
    if len(sys.argv) == 3 and sys.argv[1] == "--in-namespace":
        rc, msg = in_namespace(sys.argv[2])
        print(msg)
        sys.exit(rc)
    ns = "pwpaged-%d" % os.getpid()
    if subprocess.run(["ip", "netns", "add", ns], capture_output=True).returncode != 0:
        skip("cannot create network namespaces")
    work = tempfile.mkdtemp(prefix="pw-paged.")
    try:
        r = subprocess.run(["ip", "netns", "exec", ns, sys.executable, os.path.abspath(__file__), "--in-namespace",
                            work], capture_output=True, text=True, timeout=300)
        print(r.stdout.strip())
        if r.returncode == 77:
            skip(r.stdout.strip())
        check("sniff on the tap exits 0", r.returncode == 0, r.stderr.strip()[-500:])
        live = inner_rows(os.path.join(work, "live"))
        subprocess.run([BIN, "read", "-q", "-o", os.path.join(work, "read"), os.path.join(work, "frames.pcap")],
                       check=True)
        ref = inner_rows(os.path.join(work, "read"))
        check("read logs every inner flow once (%d rows)" % len(ref), len(ref) == FLOWS)
        keys = sorted((x["id.orig_h"], x["id.orig_p"]) for x in live)
        check("sniff -w 2 logs every inner flow once, none split (%d rows for %d flows)" % (len(live), FLOWS),
              len(live) == FLOWS and len(set(keys)) == FLOWS)
        whole = [x for x in live if x["conn_state"] == "SF" and x["history"] == "ShADdFf"
                 and x["orig_bytes"] == "100" and x["resp_bytes"] == "1200"]
        check("every inner flow whole: SF, ShADdFf, 100 bytes up, 1200 down (%d of %d)" % (len(whole), len(live)),
              len(whole) == FLOWS)
        fields = ("id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "conn_state", "history",
                  "orig_pkts", "resp_pkts", "orig_bytes", "resp_bytes")
        a = sorted(tuple(x[f] for f in fields) for x in live)
        b = sorted(tuple(x[f] for f in fields) for x in ref)
        check("conn rows equal read's of the same frames", a == b,
              "first difference: %s" % next((p for p in zip(a, b) if p[0] != p[1]), None))
        stats = zeeklog.read(os.path.join(work, "live", "stats.log")).rows
        per = {}
        for s in stats:
            per[s["peer"]] = per.get(s["peer"], 0) + int(s["pkts_proc"])
        check("both workers had a share of the frames (%s)" % per,
              len(per) == 2 and all(v > 0 for v in per.values()) and sum(per.values()) == FLOWS * 9)
    finally:
        subprocess.run(["ip", "netns", "del", ns])
        if os.environ.get("PW_PAGED_KEEP") == "1":
            print("work directory kept: " + work)
        else:
            subprocess.run(["rm", "-rf", work])
    print("%d passed, %d failed" % (PASS, FAIL))
    sys.exit(1 if FAIL else 0)


if __name__ == "__main__":
    main()
