"""Where an exported revision goes: the Sender interface and its two implementations.

A sender takes one revision's JSON and either delivers it or raises SendFailed with a reason that
says what went wrong and nothing of the event (the reason is stored and shown on pages).
"""

from __future__ import annotations

import http.client
import os
import socket
import ssl
import tempfile
import threading
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from psirf.config import ConfigurationError
from psirf.lfpse.exports import CLAIM_LEASE

FHIR_JSON = "application/fhir+json"
# The only hosts the key may be sent to unencrypted: this machine (a local fake LFPSE, or a proxy
# on it that encrypts onwards).
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
# The longest one HTTP send may take, whatever the server does: well inside the claim's lease.
DEFAULT_DEADLINE_SECONDS = 60.0


class SendFailed(Exception):
    """The revision was not delivered; the message is the reason kept on its row."""


class Sender(Protocol):
    # True when sending a revision again changes nothing (the outbox: a file of a fixed name,
    # replaced whole): such a sender's batch is sent at once, its outcomes recorded together.
    repeatable: bool

    def send(self, reference: str, revision: int, body: bytes) -> None: ...


class OutboxSender:
    """One file per event revision, `<reference>-r<revision>.json`, in a folder that another
    process (or a person) uploads from. Written to a temporary file in the same folder, flushed to
    disk, then renamed into place: a reader never sees half a file."""

    repeatable = True

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def path_for(self, reference: str, revision: int) -> Path:
        return self.folder / f"{reference}-r{revision}.json"

    def send(self, reference: str, revision: int, body: bytes) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".part")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(body)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temporary, self.path_for(reference, revision))
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            raise SendFailed(f"Could not write to the outbox folder: {error.strerror}") from error


class HttpSender:
    """POST to LFPSE's submission address with the API key in a header; any 2xx is delivered.

    Two limits: `timeout`, the socket's, for each operation (connecting, each read, each write),
    and `deadline`, for the whole send. A server that trickles its answer a byte at a time
    restarts the socket's timeout at every byte; the deadline does not: when it passes, a
    watchdog shuts the connection, which ends whatever read or write is waiting. It is kept
    under half of exports.CLAIM_LEASE (from_config refuses more), so a send never outlives
    its claim and a second sender never sends the same revision while the first still might.

    A redirect is LFPSE's answer, not a delivery: it is a failure, never followed (followed, the
    key would go wherever it pointed, and that answer's 200 would mark a revision sent that LFPSE
    never received). http.client follows nothing."""

    repeatable = False  # LFPSE would receive the revision twice

    def __init__(
        self,
        url: str,
        api_key: str,
        key_header: str,
        timeout: float,
        deadline: float = DEFAULT_DEADLINE_SECONDS,
    ):
        self.url, self.api_key, self.key_header = url, api_key, key_header
        self.timeout, self.deadline = timeout, deadline

    def _connection(self) -> http.client.HTTPConnection:
        address = urlsplit(self.url)
        timeout = min(self.timeout, self.deadline)
        if address.scheme == "https":
            return http.client.HTTPSConnection(
                address.hostname, address.port, timeout=timeout,
                context=ssl.create_default_context(),
            )  # fmt: skip
        return http.client.HTTPConnection(address.hostname, address.port, timeout=timeout)

    def send(self, reference: str, revision: int, body: bytes) -> None:
        address = urlsplit(self.url)
        path = address.path or "/"
        if address.query:
            path += "?" + address.query
        connection = self._connection()
        expired = threading.Event()
        # The socket is held apart from the connection: a response that closes the connection
        # after it (HTTP/1.0) takes the connection's socket away while its body is still read.
        held: list[socket.socket] = []

        def cut() -> None:
            expired.set()
            sock = held[0] if held else connection.sock  # while connecting: the raw socket
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed

        watchdog = threading.Timer(self.deadline, cut)
        watchdog.daemon = True
        watchdog.start()
        try:
            connection.connect()
            held.append(connection.sock)
            if expired.is_set():  # it passed while connecting
                cut()
            connection.request(
                "POST", path, body=body,
                headers={"Content-Type": FHIR_JSON, "Accept": FHIR_JSON,
                         self.key_header: self.api_key},
            )  # fmt: skip
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as error:
            if expired.is_set():
                raise SendFailed(
                    f"LFPSE did not answer within {self.deadline:g} seconds"
                ) from error
            raise SendFailed(f"Could not reach LFPSE: {error}") from error
        finally:
            watchdog.cancel()
            connection.close()
        if not 200 <= response.status < 300:
            raise SendFailed(f"LFPSE answered {response.status} {response.reason}")


def from_config(config) -> Sender:
    kind = config.get("LFPSE_SENDER", "outbox")
    if kind == "outbox":
        return OutboxSender(config["LFPSE_OUTBOX_DIR"])
    if kind == "http":
        if not config.get("LFPSE_URL") or not config.get("LFPSE_API_KEY"):
            raise ConfigurationError("LFPSE_SENDER is http: set LFPSE_URL and LFPSE_API_KEY.")
        address = urlsplit(config["LFPSE_URL"])
        if address.scheme != "https" and address.hostname not in LOOPBACK:
            # The key and the events would cross the network in clear.
            raise ConfigurationError("LFPSE_URL must be an https:// address.")
        deadline = float(config.get("LFPSE_DEADLINE_SECONDS", DEFAULT_DEADLINE_SECONDS))
        if not 0 < deadline < CLAIM_LEASE.total_seconds() / 2:
            # A send still going when its claim's lease ends could go twice: another sender may
            # claim the row again. Half the lease leaves room for the claim's own work.
            raise ConfigurationError(
                "LFPSE_DEADLINE_SECONDS must be more than 0 and less than "
                f"{CLAIM_LEASE.total_seconds() / 2:g} (half the claim's lease)."
            )
        return HttpSender(
            config["LFPSE_URL"],
            config["LFPSE_API_KEY"],
            config.get("LFPSE_API_KEY_HEADER", "Ocp-Apim-Subscription-Key"),
            float(config.get("LFPSE_TIMEOUT_SECONDS", 10)),
            deadline,
        )
    raise ConfigurationError(f"LFPSE_SENDER is {kind!r}: choose outbox or http.")
