#!/usr/bin/python3
"""fuzz/make_corpus.py - turns pcap files into fuzz_engine seeds (selector, length, frame records).

Usage: make_corpus.py OUTDIR FILE.pcap...  Each pcap becomes one seed of at most 64 frames."""
import hashlib
import os
import struct
import sys

SELECTOR = {1: 0x08, 113: 0x0b, 276: 0x0c, 101: 0x0d, 0: 0x0e, 108: 0x0f}


def frames(path):
    with open(path, 'rb') as f:
        hdr = f.read(24)
        if len(hdr) < 24:
            return None, []
        magic = hdr[:4]
        if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'):
            endian = '<'
        elif magic in (b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
            endian = '>'
        else:
            return None, []
        linktype = struct.unpack(endian + 'I', hdr[20:24])[0] & 0x0fffffff
        out = []
        while len(out) < 64:
            rec = f.read(16)
            if len(rec) < 16:
                break
            _, _, caplen, _ = struct.unpack(endian + 'IIII', rec)
            data = f.read(caplen)
            if len(data) < caplen:
                break
            out.append(data[:65535])
        return linktype, out


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    for path in sys.argv[2:]:
        linktype, fr = frames(path)
        if linktype not in SELECTOR or not fr:
            continue
        seed = b''.join(bytes([SELECTOR[linktype]]) + struct.pack('>H', len(x)) + x for x in fr)
        name = hashlib.sha1(seed).hexdigest()[:16]
        with open(os.path.join(outdir, name), 'wb') as f:
            f.write(seed)


if __name__ == '__main__':
    main()
