#!/usr/bin/env python3
# tests/learn/make_traffic.py - deterministic captures for test_learn.sh: a baseline day and a day with one new destination.
"""Writes OUTDIR/base.pcap and OUTDIR/new.pcap.

base: three clients (10.0.0.5, 10.0.0.6 in one /24, 10.0.1.7 in another) resolve names at
9.9.9.9, speak TLS with SNI to a.example.com, b.example.com, c.example.com, plain HTTP to
www.example.org, an unidentifiable TCP protocol to 52.1.2.3:9000 and UDP to 17.253.1.1:123;
plus one inbound and one internal flow, which learning must ignore.

new: the same, then d.example.com (inside the learned *.example.com) and three TLS flows to
update.evil-cdn.net at 45.33.32.156, the one new destination.
"""
import struct
import sys

from scapy.all import DNS, DNSQR, DNSRR, IP, TCP, UDP, Ether, wrpcap

T0 = 1700000000.0
MAC_C, MAC_S = "02:00:00:00:00:01", "02:00:00:00:00:02"


class Trace:
    def __init__(self):
        self.pkts = []
        self.t = T0
        self.sport = 40000

    def add(self, pkt, dt=0.001):
        self.t += dt
        pkt.time = self.t
        self.pkts.append(pkt)

    def port(self):
        self.sport += 1
        return self.sport

    def tcp_session(self, c, s, dport, client_data, server_data):
        sp = self.port()
        cs, ss = 1000, 5000
        e = lambda: Ether(src=MAC_C, dst=MAC_S)
        r = lambda: Ether(src=MAC_S, dst=MAC_C)
        self.add(e() / IP(src=c, dst=s) / TCP(sport=sp, dport=dport, flags="S", seq=cs), dt=0.5)
        self.add(r() / IP(src=s, dst=c) / TCP(sport=dport, dport=sp, flags="SA", seq=ss, ack=cs + 1))
        cs += 1
        ss += 1
        self.add(e() / IP(src=c, dst=s) / TCP(sport=sp, dport=dport, flags="A", seq=cs, ack=ss))
        self.add(e() / IP(src=c, dst=s) / TCP(sport=sp, dport=dport, flags="PA", seq=cs, ack=ss) / client_data)
        cs += len(client_data)
        self.add(r() / IP(src=s, dst=c) / TCP(sport=dport, dport=sp, flags="PA", seq=ss, ack=cs) / server_data)
        ss += len(server_data)
        self.add(e() / IP(src=c, dst=s) / TCP(sport=sp, dport=dport, flags="FA", seq=cs, ack=ss))
        self.add(r() / IP(src=s, dst=c) / TCP(sport=dport, dport=sp, flags="FA", seq=ss, ack=cs + 1))
        self.add(e() / IP(src=c, dst=s) / TCP(sport=sp, dport=dport, flags="A", seq=cs + 1, ack=ss + 1))

    def dns(self, c, name, addr, resolver="9.9.9.9", qid=1):
        sp = self.port()
        q = DNS(id=qid, rd=1, qd=DNSQR(qname=name, qtype="A"))
        a = DNS(id=qid, qr=1, rd=1, ra=1, qd=DNSQR(qname=name, qtype="A"),
                an=DNSRR(rrname=name, type="A", ttl=300, rdata=addr))
        self.add(Ether(src=MAC_C, dst=MAC_S) / IP(src=c, dst=resolver) / UDP(sport=sp, dport=53) / q, dt=0.5)
        self.add(Ether(src=MAC_S, dst=MAC_C) / IP(src=resolver, dst=c) / UDP(sport=53, dport=sp) / a, dt=0.01)

    def udp(self, c, s, dport, data, reply):
        sp = self.port()
        self.add(Ether(src=MAC_C, dst=MAC_S) / IP(src=c, dst=s) / UDP(sport=sp, dport=dport) / data, dt=0.5)
        self.add(Ether(src=MAC_S, dst=MAC_C) / IP(src=s, dst=c) / UDP(sport=dport, dport=sp) / reply, dt=0.01)

    def tls(self, c, s, sni):
        self.tcp_session(c, s, 443, client_hello(sni), server_hello())

    def http(self, c, s, host):
        req = ("GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: curl/8.0\r\nAccept: */*\r\n\r\n" % host).encode()
        resp = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"
        self.tcp_session(c, s, 80, req, resp)


def record(ctype, body):
    return struct.pack("!BHH", ctype, 0x0301, len(body)) + body


def handshake(htype, body):
    return struct.pack("!B", htype) + struct.pack("!I", len(body))[1:] + body


def client_hello(sni):
    name = sni.encode()
    entry = b"\x00" + struct.pack("!H", len(name)) + name
    sni_ext = struct.pack("!HH", 0, len(entry) + 2) + struct.pack("!H", len(entry)) + entry
    groups = struct.pack("!HHH", 10, 4, 2) + struct.pack("!H", 23)
    exts = sni_ext + groups
    body = (b"\x03\x03" + bytes(range(32)) + b"\x00" + struct.pack("!H", 4) + b"\xc0\x2f\x00\x9c" + b"\x01\x00"
            + struct.pack("!H", len(exts)) + exts)
    return record(22, handshake(1, body))


def server_hello():
    body = b"\x03\x03" + bytes(range(32, 64)) + b"\x00" + b"\xc0\x2f" + b"\x00" + struct.pack("!H", 0)
    return record(22, handshake(2, body))


def base_day(tr):
    A, B, C = "10.0.0.5", "10.0.0.6", "10.0.1.7"
    tr.dns(A, "a.example.com", "93.184.216.10", qid=1)
    tr.tls(A, "93.184.216.10", "a.example.com")
    tr.dns(A, "b.example.com", "93.184.216.11", qid=2)
    tr.tls(A, "93.184.216.11", "b.example.com")
    tr.dns(B, "c.example.com", "93.184.216.12", qid=3)
    tr.tls(B, "93.184.216.12", "c.example.com")
    tr.tls(B, "93.184.216.10", "a.example.com")
    tr.dns(C, "www.example.org", "151.101.1.5", qid=4)
    tr.http(C, "151.101.1.5", "www.example.org")
    tr.tcp_session(C, "52.1.2.3", 9000, bytes(range(200, 248)), bytes(range(100, 164)))
    tr.udp(A, "17.253.1.1", 123, bytes([0x1b]) + bytes(47), bytes([0x1c]) + bytes(47))
    # inbound, and host to host inside: counted, not learned
    tr.tcp_session("52.1.2.3", A, 22, b"SSH-2.0-OpenSSH_9.0\r\n", b"SSH-2.0-OpenSSH_9.2\r\n")
    tr.tcp_session(A, B, 8080, b"GET / HTTP/1.1\r\nHost: 10.0.0.6\r\n\r\n", b"HTTP/1.1 204 No Content\r\n\r\n")


def new_day(tr):
    base_day(tr)
    A, B = "10.0.0.5", "10.0.0.6"
    tr.dns(A, "d.example.com", "93.184.216.13", qid=5)
    tr.tls(A, "93.184.216.13", "d.example.com")
    tr.dns(B, "update.evil-cdn.net", "45.33.32.156", qid=6)
    for _ in range(3):
        tr.tls(B, "45.33.32.156", "update.evil-cdn.net")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    for name, fn in (("base", base_day), ("new", new_day)):
        tr = Trace()
        fn(tr)
        wrpcap("%s/%s.pcap" % (out, name), tr.pkts)


if __name__ == "__main__":
    main()
