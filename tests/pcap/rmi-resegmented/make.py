#!/usr/bin/python3
"""tests/pcap/rmi-resegmented/make.py - trace.pcap: examples/rmi-demo.pcap with every payload of the
RMI connection cut into segments of 1 to 7 bytes (the same bytes, in order, with their own sequence
numbers), so every header, message and serialization token of a real exchange is split somewhere."""
import os

from scapy.all import IP, TCP, PcapReader, wrpcap

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "..", "..", "examples", "rmi-demo.pcap")
RMI_SERVER = "192.0.2.76"


def main():
    out, k = [], 0
    for pkt in PcapReader(SRC):
        if IP in pkt and TCP in pkt and RMI_SERVER in (pkt[IP].src, pkt[IP].dst) and len(pkt[TCP].payload) > 0:
            data = bytes(pkt[TCP].payload)
            seq, off = pkt[TCP].seq, 0
            while off < len(data):
                n = 1 + k % 7
                k += 1
                p = pkt.copy()
                p[TCP].remove_payload()
                p[TCP].seq = (seq + off) & 0xffffffff
                p = p / data[off:off + n]
                del p[IP].len, p[IP].chksum, p[TCP].chksum
                p.time = pkt.time
                p.wirelen = None   # the copy would keep the original frame's length
                out.append(p)
                off += n
        else:
            out.append(pkt)
    wrpcap(os.path.join(HERE, "trace.pcap"), out)


if __name__ == "__main__":
    main()
