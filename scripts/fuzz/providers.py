"""Mail servers and an SMS gateway that misbehave on purpose, on loopback
ports, for the delivery faults of `faults.py`.

- `SilentSmtp` accepts the TCP connection and never says a word (not even
  the greeting): a mail server that hangs.
- `SmtpSink` (aiosmtpd) speaks SMTP; in `swallow` mode it takes the whole
  message and then never acknowledges it, in `accept` mode it answers 250.
  Either way it keeps what it was sent, so a test can read the code from it.
- `SmsGateway` takes each webhook POST and, by `mode`, answers 500, hangs,
  or answers 200; it keeps every body it was sent.

Each runs on a thread of its own, so the test's own calls stay blocking."""

import asyncio
import http.server
import json
import re
import socket
import threading
import time

from aiosmtpd.controller import Controller

CODE = re.compile(r"\b(\d{6})\b")
# Longer than any delivery timeout a run configures: "never answers".
HANG_SECS = 120


def free_port():
    """A loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def last_code(texts):
    """The six-digit code in the newest captured message, or None."""
    for text in reversed(texts):
        match = CODE.search(text)
        if match:
            return match.group(1)
    return None


class SilentSmtp:
    """A listener that accepts connections and holds them, silent."""

    def __init__(self):
        self.port = free_port()
        self.connections = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    async def _hold(self, reader, writer):
        self.connections += 1
        try:
            await reader.read()  # until the client gives up and closes
        finally:
            writer.close()

    def start(self):
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._hold, "127.0.0.1", self.port), self._loop
        )
        self._server = future.result(10)
        return self

    def stop(self):
        self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)


class _SinkHandler:
    """aiosmtpd handler: records each message, then answers by `mode`."""

    def __init__(self):
        self.mode = "swallow"
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content.decode("utf-8", "replace"))
        if self.mode == "swallow":
            await asyncio.sleep(HANG_SECS)
        return "250 Message accepted for delivery"


class SmtpSink:
    """An SMTP server (aiosmtpd) that keeps what it is sent."""

    def __init__(self):
        self.port = free_port()
        self.handler = _SinkHandler()
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self):
        return self.handler.messages

    def set_mode(self, mode):
        self.handler.mode = mode

    def start(self):
        self._controller.start()
        return self

    def stop(self):
        self._controller.stop(no_assert=True)


class SmsGateway:
    """The SMS webhook: `error` answers 500, `hang` answers nothing for
    longer than any timeout, `accept` answers 200."""

    def __init__(self, secret):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/sms"
        self.secret = secret
        self.mode = "error"
        self.bodies = []
        gateway = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.headers.get("X-Webhook-Secret") == gateway.secret:
                    gateway.bodies.append(body.get("text", ""))
                if gateway.mode == "hang":
                    time.sleep(HANG_SECS)
                    return
                self.send_response(500 if gateway.mode == "error" else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def texts(self):
        return self.bodies

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
