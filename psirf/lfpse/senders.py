"""Where an exported revision goes: the Sender interface and its two implementations.

A sender takes one revision's JSON and either delivers it or raises SendFailed with a reason that
says what went wrong and nothing of the event (the reason is stored and shown on pages).
"""

from __future__ import annotations

import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from psirf.config import ConfigurationError

FHIR_JSON = "application/fhir+json"
# The only hosts the key may be sent to unencrypted: this machine (a local fake LFPSE, or a proxy
# on it that encrypts onwards).
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


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


class _RedirectsRefused(urllib.request.HTTPRedirectHandler):
    """A redirect is LFPSE's answer, not a delivery. Followed, urllib turns a POST's 302 into a GET
    without the body but with the key header: the key would go wherever it pointed, and that
    GET's 200 would mark a revision sent that LFPSE never received. Refused, it is an HTTPError."""

    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_RedirectsRefused)


class HttpSender:
    """POST to LFPSE's submission address with the API key in a header; any 2xx is delivered."""

    repeatable = False  # LFPSE would receive the revision twice

    def __init__(self, url: str, api_key: str, key_header: str, timeout: float):
        self.url, self.api_key, self.key_header, self.timeout = url, api_key, key_header, timeout

    def send(self, reference: str, revision: int, body: bytes) -> None:
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": FHIR_JSON,
                "Accept": FHIR_JSON,
                self.key_header: self.api_key,
            },
        )
        try:
            with _OPENER.open(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as error:
            raise SendFailed(f"LFPSE answered {error.code} {error.reason}") from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", None) or error
            raise SendFailed(f"Could not reach LFPSE: {reason}") from error


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
        return HttpSender(
            config["LFPSE_URL"],
            config["LFPSE_API_KEY"],
            config.get("LFPSE_API_KEY_HEADER", "Ocp-Apim-Subscription-Key"),
            float(config.get("LFPSE_TIMEOUT_SECONDS", 10)),
        )
    raise ConfigurationError(f"LFPSE_SENDER is {kind!r}: choose outbox or http.")
