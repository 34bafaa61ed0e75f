#!/usr/bin/python3
# tests/pcap/link-pcapng-multi-if/make_trace.py - writes trace.pcapng: two interfaces (Ethernet at ns, raw IP at µs) in one section.
"""Run: /usr/bin/python3 make_trace.py  (writes trace.pcapng next to this script, byte-exact).

libpcap 1.10.3 refuses this file (the interfaces differ in link type and snaplen); Zeek's
newer libpcap and protowall's own reader take it. Packets of the two sessions interleave,
with NRB, ISB, DSB and custom blocks between them that a reader must skip.
"""

import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
C, S = "192.168.1.10", "192.168.1.20"
MAC_C, MAC_S = bytes.fromhex("020000000001"), bytes.fromhex("020000000002")
T0 = 1700000000 * 10**9


def block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = len(body) + 12
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def option(code, value):
    return struct.pack("<HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def addr(a):
    return bytes(int(x) for x in a.split("."))


FLAGS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10}


def tcp(src, dst, sp, dp, flags, seq, ack=0, data=b""):
    """IPv4 (id 1, TTL 64, DF) + TCP (window 8192, no options), checksums filled in."""
    fl = sum(FLAGS[f] for f in flags)
    th = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, 5 << 4, fl, 8192, 0, 0)
    pseudo = addr(src) + addr(dst) + struct.pack("!BBH", 0, 6, len(th) + len(data))
    th = th[:16] + struct.pack("!H", csum(pseudo + th + data)) + th[18:]
    ih = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(th) + len(data), 1, 0x4000, 64, 6, 0,
                     addr(src), addr(dst))
    ih = ih[:10] + struct.pack("!H", csum(ih)) + ih[12:]
    return ih + th + data


def session(t0, cp, sp=5555):
    """The reference exchange of tests/pcap/make_pcaps.py: (t_ns, from_client, l3)."""
    o, r = (C, S, cp, sp), (S, C, sp, cp)
    ms = 10**6
    return [(t0, True, tcp(*o, "S", 1000)),
            (t0 + 10 * ms, False, tcp(*r, "SA", 5000, 1001)),
            (t0 + 20 * ms, True, tcp(*o, "A", 1001, 5001)),
            (t0 + 30 * ms, True, tcp(*o, "PA", 1001, 5001, b"0123456789")),
            (t0 + 40 * ms, False, tcp(*r, "A", 5001, 1011)),
            (t0 + 50 * ms, False, tcp(*r, "PA", 5001, 1011, b"abcdefghijklmnopqrst")),
            (t0 + 60 * ms, True, tcp(*o, "FA", 1011, 5021)),
            (t0 + 70 * ms, False, tcp(*r, "FA", 5021, 1012)),
            (t0 + 80 * ms, True, tcp(*o, "A", 1012, 5022))]


def epb(ifid, ticks, data):
    return block(6, struct.pack("<IIIII", ifid, ticks >> 32, ticks & 0xffffffff, len(data), len(data)) + data)


def main():
    # Interface 0: Ethernet, snaplen 65535, ns stamps (.123456789: Zeek keeps .123456).
    # Interface 1: raw IP, snaplen 8192, default µs stamps, 5 ms later so the sessions interleave.
    eth = [(t, 0, (MAC_S + MAC_C if up else MAC_C + MAC_S) + b"\x08\x00" + l3)
           for t, up, l3 in session(T0 + 41 * 10**9 + 123456789, 40141)]
    raw = [(t, 1, l3) for t, up, l3 in session(T0 + 41 * 10**9 + 128000000, 40142)]
    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += block(1, struct.pack("<HHI", 1, 0, 65535) + option(2, b"eth0") + option(9, b"\x09")
                 + option(0, b""))
    out += block(4, struct.pack("<HH", 1, 8) + addr(S) + b"srv\0" + struct.pack("<HH", 0, 0))  # NRB
    out += block(1, struct.pack("<HHI", 101, 0, 8192) + option(2, b"tun0") + option(0, b""))
    out += block(10, struct.pack("<II", 0x544c534b, 8) + b"CLIENT_R")  # DSB with TLS key log
    for i, (t, ifid, data) in enumerate(sorted(eth + raw)):
        ticks = t if ifid == 0 else t // 1000
        out += epb(ifid, ticks, data)
        if i == 5:
            out += block(0xBAD, struct.pack("<I", 32473) + b"custom")  # custom block, copyable
    out += block(5, struct.pack("<III", 0, 0, 0))  # ISB of interface 0
    with open(os.path.join(HERE, "trace.pcapng"), "wb") as f:
        f.write(out)


if __name__ == "__main__":
    main()
