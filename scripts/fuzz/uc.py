"""The release server under test and the API calls the fault and soak runs
make (`faults.py`, `soak.py`).

`Server` starts the binary on a data directory of the run's choosing, with
the per-IP limits raised as for the fuzzer (every client here is one
address), and can stop it gently or with `kill -9`. `Api` speaks to it as
the product's clients do: Bearer tokens for users and staff, the service
signature for opening accounts (so no code or captcha is needed)."""

import json
import os
import signal
import sqlite3
import struct
import subprocess
import time
import uuid
import zlib
from pathlib import Path

import httpx

from signing import signed_headers

PASSWORD = "reliability correct horse battery"
PIN = "480913"
ADMIN_EMAIL = "rel-admin@example.com"

# As scripts/reliability sets them for the fuzzer: every request comes from
# 127.0.0.1, and the limits have their own tests.
RAISED_LIMITS = {
    "UC_SIGNIN_IP_CAPTCHA_AFTER": "1000000",
    "UC_CAPTCHAS_PER_IP_HOUR": "1000000",
    "UC_CODE_DAILY_PER_IP": "1000000",
    "UC_UPLOADS_PER_HOUR": "1000000",
}


class ApiFailure(AssertionError):
    """An answer the run did not expect: the check fails with it."""


class Server:
    """One server process on `data_dir`, listening on 127.0.0.1:`port`."""

    def __init__(self, binary, data_dir, port, env=None, log_dir=None):
        self.binary = binary
        self.data_dir = Path(data_dir)
        self.url = f"http://127.0.0.1:{port}"
        self.env = {
            "RUST_LOG": "warn",
            **os.environ,
            **RAISED_LIMITS,
            "UC_DATA_DIR": str(self.data_dir),
            "UC_BIND": f"127.0.0.1:{port}",
            **(env or {}),
        }
        self.proc = None
        # Beside the data directory, unless that disk is the one a test fills.
        self.log_path = Path(log_dir or self.data_dir.parent) / f"server-{port}.log"

    def start(self):
        """Starts the process and waits until `/readyz` answers (migrations
        done, database answering)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([self.binary], env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ApiFailure(f"the server exited with {self.proc.returncode}: {self.log_tail()}")
            try:
                if httpx.get(self.url + "/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise ApiFailure(f"the server did not become ready: {self.log_tail()}")

    def stop(self):
        """Ends the process gently (as an operator's restart does)."""
        self._end(signal.SIGTERM)

    def kill(self):
        """`kill -9`: no chance to flush or clean up anything."""
        self._end(signal.SIGKILL)

    def _end(self, sig):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    @property
    def pid(self):
        return self.proc.pid

    def log_tail(self, lines=20):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def log_has_panic(self):
        try:
            return "panicked" in self.log_path.read_text(errors="replace")
        except OSError:
            return False

    def cli(self, *args, stdin=None):
        """`server ARGS…` on the same data directory; returns its output."""
        done = subprocess.run(
            [self.binary, *args], env=self.env, input=stdin, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise ApiFailure(f"server {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def database(self):
        """A read-only connection to the server's SQLite file (WAL readers
        do not block the server); close it (`contextlib.closing`), or the
        disk fault's tmpfs stays busy."""
        path = self.data_dir / "user-center.db"
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)

    def bootstrap(self):
        """A super admin (through the CLI, as an operator makes one) and an
        app with every scope; returns an `Api` signed in as that admin."""
        self.cli("admin", "create", "--email", ADMIN_EMAIL, "--password-stdin", stdin=PASSWORD + "\n")
        line = self.cli(
            "admin", "create-app", "--name", "reliability",
            "--scopes", "users:read,users:write,users:admin,wallet:read,wallet:write,auth:check",
        )
        fields = dict(part.split("=", 1) for part in line.split() if "=" in part)
        api = Api(self.url, fields["app_id"], fields["secret"])
        api.admin_token = api.login(ADMIN_EMAIL)["token"]
        return api


def expect(response, *statuses):
    """The response's JSON when its status is one of `statuses`, else a
    failure naming the request and the answer."""
    if response.status_code not in statuses:
        request = response.request
        raise ApiFailure(
            f"{request.method} {request.url.path} answered {response.status_code} "
            f"{response.text[:300]} (expected {statuses})"
        )
    return response.json() if response.content else None


def error_code(response):
    """The stable error code of a refusal (`{"code": …}`), or None."""
    try:
        return response.json().get("code")
    except (ValueError, AttributeError):
        return None


class Api:
    """The REST API as a client uses it. One `httpx.Client` per `Api`, so
    use one per thread."""

    def __init__(self, url, app_id, app_secret, timeout=30):
        self.url = url
        self.app_id = app_id
        self.app_secret = app_secret
        self.admin_token = None
        self.http = httpx.Client(base_url=url, timeout=timeout)

    def clone(self):
        """The same server and credentials on a new connection pool."""
        other = Api(self.url, self.app_id, self.app_secret)
        other.admin_token = self.admin_token
        return other

    def call(self, method, path, token=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.http.request(method, path, headers=headers, **kwargs)

    def create_user(self, email, phone=None):
        """A new account through the signed service API; returns its id."""
        fields = {"email": email, "password": PASSWORD}
        if phone:
            fields["phone"] = phone
        body = json.dumps(fields).encode()
        target = "/api/v1/service/users"
        headers = {
            "Content-Type": "application/json",
            **signed_headers(self.app_id, self.app_secret, "POST", target, body),
        }
        return expect(self.http.post(target, content=body, headers=headers), 201)["id"]

    def login(self, identifier):
        """A new session: the tokens-and-user answer."""
        r = self.call("POST", "/api/v1/auth/login", json={"identifier": identifier, "password": PASSWORD})
        return expect(r, 200)

    def deposit(self, user_id, amount, currency="CNY"):
        body = {"user_id": user_id, "currency": currency, "amount": amount, "request_id": uuid.uuid4().hex}
        return expect(self.call("POST", "/api/v1/admin/wallet/deposit", self.admin_token, json=body), 201)

    def set_pin(self, token):
        body = {"pin": PIN, "password": PASSWORD}
        return expect(self.call("POST", "/api/v1/wallet/pin", token, json=body), 201)

    def transfer(self, token, to, amount, request_id, currency="CNY"):
        """The raw answer: callers decide what counts as acknowledged."""
        body = {"to": to, "currency": currency, "amount": amount, "request_id": request_id, "pin": PIN}
        return self.call("POST", "/api/v1/wallet/transfers", token, json=body)

    def upload_avatar(self, token, png):
        return self.call(
            "PUT", "/api/v1/me/avatar", token, content=png, headers={"Content-Type": "image/png"}
        )

    def edit_profile(self, token, display_name):
        return self.call("PATCH", "/api/v1/me/profile", token, json={"display_name": display_name})

    def audit(self):
        """The wallet auditor's verdict: every balance recomputed from the journal."""
        return expect(self.call("GET", "/api/v1/admin/wallet/audit", self.admin_token), 200)

    def history_ids(self, token, currency="CNY"):
        """Every transfer id in the user's history (all pages)."""
        ids, cursor = set(), ""
        while True:
            params = {"currency": currency, "limit": 100, "cursor": cursor}
            page = expect(self.call("GET", "/api/v1/wallet/history", token, params=params), 200)
            ids.update(item["id"] for item in page["items"])
            cursor = page.get("next_cursor")
            if not cursor:
                return ids


def funded_user(api, email, phone=None, amount="1000.00"):
    """An account with a session, a payment PIN and `amount` CNY; returns
    `(user_id, tokens)`."""
    user_id = api.create_user(email, phone)
    tokens = api.login(email)
    api.set_pin(tokens["token"])
    if amount:
        api.deposit(user_id, amount)
    return user_id, tokens


def png_bytes(seed):
    """A small, valid PNG that differs per `seed` (so each upload is a new
    file on disk), written without any imaging library."""
    width, height = 24, 16
    # One filter byte, then `width` RGB pixels, per row.
    raw = b"".join(
        b"\x00"
        + b"".join(bytes(((x * 7 + seed) % 256, (y * 13) % 256, (seed >> 8) % 256)) for x in range(width))
        for y in range(height)
    )

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
