# bench/smtp-sink.py - a minimal SMTP server that accepts and discards mail, for the bench corpus.
#
# Python 3.12 dropped smtpd and aiosmtpd is not in every Debian release, so the corpus
# brings its own: enough of RFC 5321 for swaks (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT).
import socketserver
import sys


class Session(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 mail.bench.test ESMTP bench-sink")
        while True:
            line = self.rfile.readline(4096)
            if not line:
                return
            verb = line[:4].upper()
            if verb == b"EHLO":
                self.wfile.write(b"250-mail.bench.test\r\n250-SIZE 104857600\r\n"
                                 b"250-8BITMIME\r\n250-PIPELINING\r\n250 HELP\r\n")
            elif verb == b"HELO":
                self.reply("250 mail.bench.test")
            elif verb in (b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                self.reply("250 OK")
            elif verb == b"DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                size = 0
                while True:
                    body = self.rfile.readline(1 << 16)
                    if not body:
                        return
                    if body == b".\r\n":
                        break
                    size += len(body)
                self.reply("250 OK queued as %08X (%d bytes)" % (size & 0xFFFFFFFF, size))
            elif verb == b"QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    with Server((host, port), Session) as srv:
        srv.serve_forever()


if __name__ == "__main__":
    main()
