#!/usr/bin/python3
"""tests/pcap/rmi-malformed/make.py - trace.pcap: the RMI connection of examples/rmi-demo.pcap twice,
each copy with one byte changed (lengths and sequence numbers unchanged), from its own client port:
  40001: the client's DgcAck (0x54) turned into 0x55, a message type JRMP does not have;
  40002: a character of the server's ProtocolAck host turned into a space."""
import os

from scapy.all import IP, TCP, PcapReader, wrpcap

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "..", "..", "examples", "rmi-demo.pcap")
RMI_SERVER = "192.0.2.76"


def rmi_packets():
    for pkt in PcapReader(SRC):
        if IP in pkt and TCP in pkt and RMI_SERVER in (pkt[IP].src, pkt[IP].dst):
            yield pkt


def copy(pkts, port, edit):
    out = []
    for pkt in pkts:
        p = pkt.copy()
        if p[IP].src == RMI_SERVER:
            p[TCP].dport = port
        else:
            p[TCP].sport = port
        data = bytes(p[TCP].payload)
        if data:
            new = edit(p[IP].src == RMI_SERVER, data)
            if new != data:
                p[TCP].remove_payload()
                p = p / new
        del p[IP].chksum, p[TCP].chksum
        p.wirelen = None
        out.append(p)
    return out


def bad_dgc_ack(from_server, data):
    if not from_server and len(data) == 15 and data[0] == 0x54:
        return b"\x55" + data[1:]
    return data


def bad_ack_host(from_server, data):
    if from_server and data[0] == 0x4e:
        return data[:5] + b" " + data[6:]
    return data


def main():
    pkts = list(rmi_packets())
    out = copy(pkts, 40001, bad_dgc_ack)
    t = float(pkts[-1].time) + 1
    for p in copy(pkts, 40002, bad_ack_host):
        p.time = float(p.time) - float(pkts[0].time) + t
        out.append(p)
    wrpcap(os.path.join(HERE, "trace.pcap"), out)


if __name__ == "__main__":
    main()
