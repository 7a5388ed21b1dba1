"""A local SMTP sink: accepts every message on 127.0.0.1 and keeps it in memory.

The stand-in for a real mail server in tests and on a laptop. Django's own SMTP
backend talks to it exactly as it would to a real relay, so what the sink holds
is what a customer would have received.

In Python (tests use tests/fixtures/smtp.py)::

    sink = SmtpSink().start()          # picks a free port
    ... EMAIL_URL=smtp://127.0.0.1:{sink.port} ...
    sink.wait_for(1, timeout=10)[0].text
    sink.stop()

From a shell (prints each message as it arrives; Ctrl-C stops)::

    python -m devtools.smtp_sink --port 8025
    EMAIL_URL=smtp://127.0.0.1:8025 python manage.py runserver
"""

from __future__ import annotations

import argparse
import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


def free_port(host: str = HOST) -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@dataclass
class ReceivedMessage:
    """One message as the SMTP server saw it: envelope plus the parsed MIME message."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage = field(repr=False)

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    @property
    def to(self) -> list[str]:
        return [addr.strip() for addr in str(self.message["To"] or "").split(",") if addr.strip()]

    def part(self, content_type: str) -> str | None:
        """The decoded body of the first part of this content type (e.g. "text/html"), or None."""
        for part in self.message.walk():
            if part.get_content_type() == content_type and not part.is_multipart():
                return part.get_content()
        return None

    @property
    def text(self) -> str | None:
        return self.part("text/plain")

    @property
    def html(self) -> str | None:
        return self.part("text/html")


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server, session, envelope) -> str:
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        self.sink._add(
            ReceivedMessage(mail_from=envelope.mail_from, rcpt_tos=list(envelope.rcpt_tos), raw=raw, message=parsed)
        )
        return "250 Message accepted for delivery"


class SmtpSink:
    """An in-memory SMTP server on 127.0.0.1, run in a background thread."""

    def __init__(self, port: int | None = None, host: str = HOST) -> None:
        self.host = host
        self.port = port or free_port(host)
        self._messages: list[ReceivedMessage] = []
        self._cond = threading.Condition()
        self._controller: Controller | None = None
        self.on_message = None  # optional callable(ReceivedMessage), e.g. to print it

    @property
    def url(self) -> str:
        """The EMAIL_URL that points Django's SMTP backend here."""
        return f"smtp://{self.host}:{self.port}"

    def start(self) -> SmtpSink:
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _add(self, message: ReceivedMessage) -> None:
        with self._cond:
            self._messages.append(message)
            self._cond.notify_all()
        if self.on_message is not None:
            self.on_message(message)

    @property
    def messages(self) -> list[ReceivedMessage]:
        with self._cond:
            return list(self._messages)

    def clear(self) -> None:
        with self._cond:
            self._messages.clear()

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[ReceivedMessage]:
        """Block until at least `count` messages arrived; raises TimeoutError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"SMTP sink got {len(self._messages)} message(s), expected {count}")
                self._cond.wait(left)
            return list(self._messages)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local SMTP sink: prints every message it receives.")
    parser.add_argument("--host", default=HOST)
    parser.add_argument("--port", type=int, default=8025)
    args = parser.parse_args(argv)

    def show(msg: ReceivedMessage) -> None:
        print(f"--- from {msg.mail_from} to {', '.join(msg.rcpt_tos)}: {msg.subject}", flush=True)
        print(msg.text or msg.html or msg.raw.decode("utf-8", "replace"), flush=True)

    sink = SmtpSink(port=args.port, host=args.host)
    sink.on_message = show
    sink.start()
    print(f"SMTP sink listening on {sink.url} (EMAIL_URL={sink.url}); Ctrl-C stops", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        sink.stop()


if __name__ == "__main__":
    main()
