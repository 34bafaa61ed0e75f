#!/usr/bin/python3
"""fuzz/make_stream_seeds.py - seeds for the stream fuzz targets from real captures.

Usage: make_stream_seeds.py OUTDIR tcp|udp PORT FILE...   For each capture, the payload of the
conversations on PORT (tshark's view) becomes one seed in stream_harness.h's record format."""
import hashlib
import os
import subprocess
import sys


def payloads(path, proto, port):
    flt = f'{proto}.port == {port} && {proto}.len > 0' if proto == 'tcp' else f'udp.port == {port}'
    field = 'tcp.payload' if proto == 'tcp' else 'udp.payload'
    out = subprocess.run(['tshark', '-r', path, '-Y', flt, '-T', 'fields', '-e', f'{proto}.dstport', '-e', field],
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split('\t')
        if len(parts) == 2 and parts[1]:
            yield (0 if parts[0] == str(port) else 1), bytes.fromhex(parts[1].replace(':', ''))


def main():
    outdir, proto, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    os.makedirs(outdir, exist_ok=True)
    for path in sys.argv[4:]:
        seed = bytearray()
        for d, pl in payloads(path, proto, port):
            if proto == 'udp':
                pl = pl[:252 - len(pl) % 4] if len(pl) % 4 else pl
                if len(pl) > 252:
                    pl = pl[:252]
                seed += bytes([d | ((len(pl) // 4) << 2)]) + pl
                continue
            for i in range(0, len(pl) - len(pl) % 4, 252):
                chunk = pl[i:i + 252]
                chunk = chunk[:len(chunk) - len(chunk) % 4]
                seed += bytes([d | ((len(chunk) // 4) << 2)]) + chunk
            if len(seed) > 64 * 1024:
                break
        if seed:
            with open(os.path.join(outdir, hashlib.sha1(seed).hexdigest()[:16]), 'wb') as f:
                f.write(seed)


if __name__ == '__main__':
    main()
