#!/usr/bin/env python3
# tests/identification/peers.py - servers and clients that speak no known protocol, for the identification test.
"""Usage: peers.py serve|client KIND ADDR PORT

KIND is one of:
  random     TCP, client speaks first; random bytes both ways, three rounds.
  shell      TCP, server speaks first with a shell prompt ("$ "), then answers lines.
  tlsish     TCP, server speaks first with bytes that begin like a TLS ServerHello record;
             the client answers with random bytes. TLS is client-first, so this is not TLS.
  udprandom  UDP, random datagrams both ways, three rounds.

Bytes come from a seeded generator, so every run puts the same bytes on the wire. A server
serves until killed; a client exits 0 when every round completed, 1 otherwise.
"""
import random
import socket
import sys

ROUNDS = 3
CHUNK = 512
TIMEOUT = 5.0


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        part = sock.recv(n - len(buf))
        if not part:
            raise ConnectionError("peer closed after %d of %d bytes" % (len(buf), n))
        buf += part
    return buf


def recv_until(sock, marker):
    buf = b""
    while not buf.endswith(marker):
        part = sock.recv(1)
        if not part:
            raise ConnectionError("peer closed before %r" % marker)
        buf += part
    return buf


SHELL_ANSWERS = {
    b"id\n": b"uid=0(root) gid=0(root) groups=0(root)\n",
    b"uname -a\n": b"Linux box 6.1.0-18-amd64 #1 SMP Debian x86_64 GNU/Linux\n",
    b"ls\n": b"bin  etc  home  tmp  var\n",
}


def tlsish_greeting(rng):
    # Record: handshake(22), TLS 1.2, length 74; message: ServerHello(2), length 70, version
    # 3.3, then random "random" and session bytes. Well-formed up front, nonsense after.
    return b"\x16\x03\x03\x00\x4a\x02\x00\x00\x46\x03\x03" + rng.randbytes(69)


def serve_one(conn, kind, rng):
    conn.settimeout(TIMEOUT)
    if kind == "random":
        for _ in range(ROUNDS):
            recv_exact(conn, CHUNK)
            conn.sendall(rng.randbytes(CHUNK))
    elif kind == "shell":
        conn.sendall(b"$ ")
        while True:
            line = recv_until(conn, b"\n")
            if line == b"exit\n":
                conn.sendall(b"logout\n")
                return
            conn.sendall(SHELL_ANSWERS.get(line, b"sh: command not found\n") + b"$ ")
    elif kind == "tlsish":
        conn.sendall(tlsish_greeting(rng))
        for _ in range(ROUNDS):
            recv_exact(conn, CHUNK)
            conn.sendall(rng.randbytes(CHUNK))


def client_one(sock, kind, rng):
    sock.settimeout(TIMEOUT)
    if kind == "random":
        for _ in range(ROUNDS):
            sock.sendall(rng.randbytes(CHUNK))
            recv_exact(sock, CHUNK)
    elif kind == "shell":
        recv_exact(sock, 2)
        for cmd in (b"id\n", b"uname -a\n", b"ls\n"):
            sock.sendall(cmd)
            recv_until(sock, b"$ ")
        sock.sendall(b"exit\n")
        recv_until(sock, b"logout\n")
    elif kind == "tlsish":
        recv_exact(sock, len(tlsish_greeting(random.Random(0))))
        for _ in range(ROUNDS):
            sock.sendall(rng.randbytes(CHUNK))
            recv_exact(sock, CHUNK)


def serve(kind, addr, port):
    rng = random.Random("server-" + kind)
    if kind == "udprandom":
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((addr, port))
        while True:
            _, peer = sock.recvfrom(65535)
            sock.sendto(rng.randbytes(CHUNK // 4), peer)
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((addr, port))
    lsock.listen(8)
    while True:
        conn, _ = lsock.accept()
        try:
            serve_one(conn, kind, rng)
        except (OSError, ConnectionError):
            pass
        finally:
            conn.close()


def client(kind, addr, port):
    rng = random.Random("client-" + kind)
    if kind == "udprandom":
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.settimeout(TIMEOUT)
        sock.connect((addr, port))
        for _ in range(ROUNDS):
            sock.send(rng.randbytes(CHUNK // 4))
            sock.recv(65535)
        return
    with socket.create_connection((addr, port), timeout=TIMEOUT) as sock:
        client_one(sock, kind, rng)
        sock.shutdown(socket.SHUT_WR)
        # Wait for the server's close, so the flow ends cleanly on both sides.
        while sock.recv(4096):
            pass


def main(argv):
    kinds = ("random", "shell", "tlsish", "udprandom")
    if len(argv) != 5 or argv[1] not in ("serve", "client") or argv[2] not in kinds:
        sys.stderr.write(__doc__)
        return 2
    role, kind, addr, port = argv[1], argv[2], argv[3], int(argv[4])
    try:
        (serve if role == "serve" else client)(kind, addr, port)
    except (OSError, ConnectionError) as e:
        sys.stderr.write("peers.py %s %s: %s\n" % (role, kind, e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
