"""A tiny SMTP server on a real socket, speaking just enough of the protocol for smtplib.

aiosmtpd is not installed and smtpd left the standard library, so the tests bring their own. It
records each message it accepts, and can be told to refuse the next ones with a given reply.
"""

from __future__ import annotations

import email
import socketserver
import threading
from email.message import Message


class _Session(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        server: FakeSmtpServer = self.server.fake
        self.reply("220 fake.invalid ESMTP")
        recipients: list[str] = []
        while line := self.rfile.readline():
            command = line.decode("utf-8", "replace").strip()
            verb = command[:4].upper()
            if verb == "EHLO":
                self.reply("250-fake.invalid")
                self.reply("250 8BITMIME")
            elif verb == "HELO":
                self.reply("250 fake.invalid")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                if server.refuse_recipients:
                    self.reply(server.refuse_recipients)
                else:
                    recipients.append(command.partition(":")[2].strip(" <>"))
                    self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk  # undo dot-stuffing
                if server.refuse_data:
                    self.reply(server.refuse_data)
                else:
                    server.accept(recipients, data)
                    self.reply("250 OK queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class FakeSmtpServer:
    def __init__(self) -> None:
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Session)
        self._server.daemon_threads = True
        self._server.fake = self
        self._lock = threading.Lock()
        self.messages: list[tuple[list[str], Message]] = []
        # An SMTP reply ("451 ...", "550 ...") to give instead of accepting; None accepts.
        self.refuse_data: str | None = None
        self.refuse_recipients: str | None = None

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def accept(self, recipients: list[str], data: bytes) -> None:
        with self._lock:
            self.messages.append((recipients, email.message_from_bytes(data)))

    def start(self) -> FakeSmtpServer:
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
