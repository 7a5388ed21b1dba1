"""devtools.smtp_sink as a command: a developer points EMAIL_URL at it and reads mail on stdout."""

import signal
import smtplib
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

from devtools.smtp_sink import free_port

ROOT = Path(__file__).resolve().parent.parent.parent


def _connect(port: int, deadline: float) -> smtplib.SMTP:
    while True:
        try:
            return smtplib.SMTP("127.0.0.1", port, timeout=5)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_smtp_sink_command_prints_each_message_it_receives():
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "devtools.smtp_sink", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        message = EmailMessage()
        message["From"] = "hearth@example.com"
        message["To"] = "dev@example.com"
        message["Subject"] = "Sink check"
        message.set_content("hello from the test")
        with _connect(port, time.monotonic() + 20) as smtp:
            smtp.send_message(message)
    finally:
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=20)

    assert f"listening on smtp://127.0.0.1:{port}" in output
    assert "from hearth@example.com to dev@example.com: Sink check" in output
    assert "hello from the test" in output
    assert proc.returncode == 0
