"""Faults the product must survive, each injected by this script itself
(never by touching the machine): a mail server that hangs, an SMS gateway
that fails, a full disk, and `kill -9` in the middle of a mixed load.

Every check is what a user or operator would notice: how long a request
took and what it answered, whether another request was slowed, whether a
code that never arrived still works, whether money or files are left half
written. Prints one Markdown table (fault, what was tried, result) and
exits 1 when any fault was not survived.

    faults.py --server BIN --work DIR [--timeout SECS] [--crash-secs SECS]
              [--crash-rounds N] [--only mail,sms,disk,crash]
"""

import argparse
import itertools
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from contextlib import closing
from pathlib import Path

import httpx

sys.path.insert(0, os.path.dirname(__file__))
from providers import SilentSmtp, SmsGateway, SmtpSink, free_port, last_code  # noqa: E402
from uc import (  # noqa: E402
    PASSWORD,
    ApiFailure,
    Server,
    error_code,
    expect,
    funded_user,
    png_bytes,
)

# How much longer than the configured delivery timeout a refused code
# request may take (the answer itself, and a loaded 2-core machine).
TIMEOUT_SLACK = 1.5
# The slowest another request may be while a code request waits.
PROBE_LIMIT = 0.5
WEBHOOK_SECRET = "reliability-webhook-secret"


class Run:
    """What every fault needs: the binary, a work directory, fresh ports."""

    def __init__(self, args):
        self.binary = args.server
        self.work = Path(args.work)
        self.timeout = args.timeout
        self.crash_secs = args.crash_secs
        self.crash_rounds = args.crash_rounds

    def server(self, name, env=None, data_dir=None, log_dir=None):
        return Server(
            self.binary, data_dir or self.work / name / "data", free_port(), env, log_dir=log_dir
        )


# ---------------------------------------------------------------- delivery


def watched_code_request(api, token, contact, purpose="pay_password"):
    """Asks for a code on one connection while another keeps calling
    `/healthz` and `GET /api/v1/me`; returns the answer, how long it took,
    and the slowest and failed probes made meanwhile."""
    probe = api.clone()
    outcome = {}

    def send():
        started = time.monotonic()
        body = {"contact": contact, "purpose": purpose}
        outcome["response"] = api.call("POST", "/api/v1/codes/send", token, json=body)
        outcome["seconds"] = time.monotonic() - started

    sender = threading.Thread(target=send)
    sender.start()
    slowest, failed, probes = 0.0, [], 0
    while sender.is_alive():
        for path in ("/healthz", "/api/v1/me"):
            started = time.monotonic()
            r = probe.call("GET", path, token)
            slowest = max(slowest, time.monotonic() - started)
            probes += 1
            if r.status_code != 200:
                failed.append(f"{path} {r.status_code}")
        time.sleep(0.05)
    sender.join()
    return outcome["response"], outcome["seconds"], slowest, failed, probes


def refused_in_time(api, token, contact, timeout, hangs):
    """A code request to a failing provider answers `503 DELIVERY_FAILED`
    within the timeout (and, when the provider hangs, only once the timeout
    is reached), without slowing anything else down. Returns the seconds."""
    r, seconds, slowest, failed, probes = watched_code_request(api, token, contact)
    if r.status_code != 503 or error_code(r) != "DELIVERY_FAILED":
        raise ApiFailure(f"code request answered {r.status_code} {r.text[:200]}, not 503 DELIVERY_FAILED")
    if seconds > timeout + TIMEOUT_SLACK:
        raise ApiFailure(f"DELIVERY_FAILED after {seconds:.1f} s, timeout {timeout} s")
    if hangs and seconds < timeout - 0.25:
        raise ApiFailure(f"answered after {seconds:.1f} s: the provider's hang was never reached")
    if failed:
        raise ApiFailure(f"other requests failed meanwhile: {failed[:5]}")
    if slowest > PROBE_LIMIT:
        raise ApiFailure(f"other requests slowed to {slowest:.2f} s meanwhile ({probes} probes)")
    return seconds, slowest


def code_is_dead(api, token, contact, captured):
    """The code the provider was handed, but did not confirm, must not work."""
    if captured is None:
        raise ApiFailure("the provider was never handed a code (the fake saw nothing)")
    body = {"contact": contact, "purpose": "pay_password", "code": captured}
    r = api.call("POST", "/api/v1/codes/verify", token, json=body)
    if error_code(r) != "CODE_INCORRECT":
        raise ApiFailure(f"an undelivered code still works: verify answered {r.status_code} {r.text[:200]}")


def code_works(api, token, contact, texts):
    """The positive control: a delivered code arrives and verifies (so the
    two checks above could tell a live code from a dead one)."""
    r = api.call("POST", "/api/v1/codes/send", token, json={"contact": contact, "purpose": "pay_password"})
    expect(r, 200)
    code = last_code(texts)
    body = {"contact": contact, "purpose": "pay_password", "code": code}
    expect(api.call("POST", "/api/v1/codes/verify", token, json=body), 200)


def delivery_env(smtp_port, gateway, timeout):
    return {
        "UC_SMTP_HOST": "127.0.0.1",
        "UC_SMTP_PORT": str(smtp_port),
        "UC_SMTP_TLS": "none",
        "UC_SMS_WEBHOOK_URL": gateway.url,
        "UC_SMS_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "UC_DELIVERY_TIMEOUT_SECS": str(timeout),
    }


def mail_hangs(run):
    """A mail server that never greets, then one that takes the message and
    never confirms it; then one that works."""
    silent, sink, gateway = SilentSmtp().start(), SmtpSink().start(), SmsGateway(WEBHOOK_SECRET).start()
    server = run.server("mail", delivery_env(silent.port, gateway, run.timeout))
    try:
        api = server.start().bootstrap()
        email = "mail-fault@example.com"
        _, tokens = funded_user(api, email, amount=None)
        token = tokens["token"]
        silent_secs, slowest = refused_in_time(api, token, email, run.timeout, hangs=True)
        # The same data directory, now with a mail server that swallows.
        server.stop()
        server.env.update(delivery_env(sink.port, gateway, run.timeout))
        server.start()
        swallow_secs, slowest2 = refused_in_time(api, token, email, run.timeout, hangs=True)
        code_is_dead(api, token, email, last_code(sink.messages))
        sink.set_mode("accept")
        code_works(api, token, email, sink.messages)
        return (
            f"silent server: 503 DELIVERY_FAILED in {silent_secs:.1f} s; message taken, never "
            f"confirmed: in {swallow_secs:.1f} s, its code refused; others' slowest "
            f"{max(slowest, slowest2) * 1000:.0f} ms"
        )
    finally:
        server.stop()
        silent.stop()
        sink.stop()
        gateway.stop()


def sms_fails(run):
    """An SMS gateway that answers 500, then one that hangs; then one that works."""
    silent, gateway = SilentSmtp().start(), SmsGateway(WEBHOOK_SECRET).start()
    server = run.server("sms", delivery_env(silent.port, gateway, run.timeout))
    try:
        api = server.start().bootstrap()
        phone = "13800138000"
        _, tokens = funded_user(api, "sms-fault@example.com", phone=phone, amount=None)
        token = tokens["token"]
        error_secs, slowest = refused_in_time(api, token, phone, run.timeout, hangs=False)
        code_is_dead(api, token, phone, last_code(gateway.texts))
        gateway.mode = "hang"
        hang_secs, slowest2 = refused_in_time(api, token, phone, run.timeout, hangs=True)
        code_is_dead(api, token, phone, last_code(gateway.texts))
        gateway.mode = "accept"
        code_works(api, token, phone, gateway.texts)
        return (
            f"500: 503 DELIVERY_FAILED in {error_secs:.1f} s; hang: in {hang_secs:.1f} s; both "
            f"codes refused; others' slowest {max(slowest, slowest2) * 1000:.0f} ms"
        )
    finally:
        server.stop()
        silent.stop()
        gateway.stop()


# ---------------------------------------------------------------- media


def media_problems(server):
    """Files in the media directory that nothing references, references to
    files that are missing, and half-written temporary files."""
    media = server.data_dir / "media"
    with closing(server.database()) as db:
        avatars = {h for (h,) in db.execute("SELECT avatar_hash FROM users WHERE avatar_hash IS NOT NULL")}
        documents = {p for (p,) in db.execute("SELECT path FROM documents")}
    problems = []
    on_disk = set()
    for path in media.rglob("*") if media.exists() else []:
        if not path.is_file():
            continue
        relative = path.relative_to(media).as_posix()
        if ".tmp-" in path.name:
            problems.append(f"half-written {relative}")
        elif relative.startswith("avatars/"):
            avatar_hash = path.name.split("-")[0]
            on_disk.add(avatar_hash)
            if avatar_hash not in avatars:
                problems.append(f"orphan {relative}")
        elif relative.startswith("private/"):
            if relative[len("private/"):] not in documents:
                problems.append(f"orphan {relative}")
    for avatar_hash in avatars:
        for size in (256, 64):
            if not (media / "avatars" / avatar_hash[:2] / f"{avatar_hash}-{size}.png").is_file():
                problems.append(f"missing avatar {avatar_hash[:12]}…-{size}")
    for relative in documents:
        if not (media / "private" / relative).is_file():
            problems.append(f"missing document {relative}")
    return problems


def nothing_half_written(api, server):
    """The auditor is clean and the media directory matches the database."""
    audit = api.audit()
    if not audit["clean"]:
        raise ApiFailure(f"the wallet auditor found problems: {audit['problems'][:5]}")
    problems = media_problems(server)
    if problems:
        raise ApiFailure(f"media directory: {problems[:5]}")
    return audit


# ---------------------------------------------------------------- disk full


def mount_small_disk(path):
    """A 64 MiB tmpfs at `path`; False when mounting is not permitted."""
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(path)], capture_output=True
    )
    return done.returncode == 0


def fill(path, leave):
    """Writes a filler file at `path` until only `leave` bytes are free."""
    stat = os.statvfs(path.parent)
    target = max(0, stat.f_bavail * stat.f_frsize - leave)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        written, chunk = 0, b"\0" * (1 << 20)
        while written < target:
            written += os.write(fd, chunk[: min(len(chunk), target - written)])
        if leave == 0:
            for size in (4096, 1):
                try:
                    while True:
                        os.write(fd, b"\0" * size)
                except OSError:
                    pass
    except OSError:
        pass
    finally:
        os.close(fd)


class Writes:
    """One round of the writes a user makes, with fresh content each time."""

    def __init__(self, api, payer, payee_email):
        self.api = api
        self.payer = payer
        self.payee_email = payee_email
        self.round = itertools.count(1)
        self.acknowledged, self.refused = set(), set()

    def attempt(self):
        """Sign-in, profile edit, avatar upload and transfer: `{name: response}`."""
        n = next(self.round)
        token = self.payer["token"]
        request_id = f"disk-{n}-{uuid.uuid4().hex[:8]}"
        answers = {
            "sign-in": self.api.call(
                "POST", "/api/v1/auth/login",
                json={"identifier": self.payer["user"]["email"], "password": PASSWORD},
            ),
            "profile edit": self.api.edit_profile(token, f"Disk {n}"),
            "avatar upload": self.api.upload_avatar(token, png_bytes(1000 + n)),
            "transfer": self.api.transfer(token, self.payee_email, "1.00", request_id),
        }
        transfer = answers["transfer"]
        if transfer.status_code in (200, 201):
            self.acknowledged.add(transfer.json()["transfer_id"])
        else:
            self.refused.add(request_id)
        return answers


def reads_work(api, token):
    """What a signed-in user reads: profile, balances, history."""
    for path in ("/api/v1/me", "/api/v1/me/profile", "/api/v1/wallet/balances", "/api/v1/wallet/history?currency=CNY"):
        expect(api.call("GET", path, token), 200)


def all_succeed(answers, stage):
    """Every write of the round answered 2xx."""
    bad = {k: f"{r.status_code} {error_code(r)}" for k, r in answers.items() if r.status_code >= 300}
    if bad:
        raise ApiFailure(f"{stage}: {bad}")


def only_uploads_refused(answers):
    """Under the free-space floor: the upload answers `507 STORAGE_FULL`
    (before its body is read), every other write works."""
    upload = answers.pop("avatar upload")
    if (upload.status_code, error_code(upload)) != (507, "STORAGE_FULL"):
        raise ApiFailure(f"upload under the floor answered {upload.status_code} {upload.text[:160]}")
    all_succeed(answers, "under the upload floor")


def refused_cleanly(answers):
    """On a full disk each write either succeeds (it found room) or answers
    `507 STORAGE_FULL`; never 500. Returns {name: status code}."""
    seen = {}
    for name, r in answers.items():
        if r.status_code >= 300 and (r.status_code, error_code(r)) != (507, "STORAGE_FULL"):
            raise ApiFailure(f"{name} on a full disk answered {r.status_code} {r.text[:160]}")
        seen[name] = f"{r.status_code}" + (f" {error_code(r)}" if r.status_code >= 300 else "")
    return seen


def transfers_as_answered(api, writes):
    """Acknowledged transfers are in the history; a refused one was not
    half done: sent again under its request id, it is new (`201`), not a
    replay of something stored."""
    token = writes.payer["token"]
    for request_id in sorted(writes.refused):
        r = api.transfer(token, writes.payee_email, "1.00", request_id)
        receipt = expect(r, 200, 201)
        if r.status_code != 201 or receipt.get("replayed"):
            raise ApiFailure(f"refused transfer {request_id} was stored after all: {r.text[:160]}")
        writes.acknowledged.add(receipt["transfer_id"])
    missing = writes.acknowledged - api.history_ids(token)
    if missing:
        raise ApiFailure(f"acknowledged transfers missing from the history: {sorted(missing)}")


def disk_full(run):
    """The data directory on a 64 MiB tmpfs: filled below the upload floor,
    then to the last byte, then freed."""
    disk = run.work / "disk"
    mounted = mount_small_disk(disk)
    env = {} if mounted else {"UC_MIN_FREE_BYTES": str(1 << 60), "UC_MIN_FREE_PERCENT": "100"}
    server = run.server("disk", env, data_dir=disk / "data", log_dir=run.work)
    filler = disk / "filler"
    try:
        api = server.start().bootstrap()
        _, payer = funded_user(api, "disk-payer@example.com")
        funded_user(api, "disk-payee@example.com", amount=None)
        writes = Writes(api, payer, "disk-payee@example.com")
        if not mounted:
            return storage_floor_only(api, server, writes)
        all_succeed(writes.attempt(), "with room")
        pid = server.pid
        # Under the upload floor: uploads refused, the database still writes.
        fill(filler, leave=1 << 20)
        only_uploads_refused(writes.attempt())
        # Not a byte left.
        fill(filler, leave=0)
        reads_work(api, payer["token"])
        full = refused_cleanly(writes.attempt())
        refused_cleanly(writes.attempt())
        reads_work(api, payer["token"])
        # Room again: every write works, without a restart.
        filler.unlink()
        all_succeed(writes.attempt(), "after space was freed")
        if server.pid != pid or server.proc.poll() is not None:
            raise ApiFailure("the server restarted or died")
        transfers_as_answered(api, writes)
        nothing_half_written(api, server)
        return (
            f"64 MiB tmpfs. Under the floor: uploads 507 STORAGE_FULL, sign-in, edits and "
            f"transfers work; full: reads work, {', '.join(f'{k} {v}' for k, v in full.items())}; "
            f"freed: all work, same process; auditor clean, no orphan files"
        )
    finally:
        server.stop()
        if filler.exists():
            filler.unlink()
        if mounted:
            subprocess.run(["umount", str(disk)], check=False)


def storage_floor_only(api, server, writes):
    """Without a mountable filesystem, only the storage floor can be tried:
    a floor above the disk's size refuses every upload, nothing else."""
    only_uploads_refused(writes.attempt())
    nothing_half_written(api, server)
    return "no tmpfs allowed: storage floor only; uploads 507 STORAGE_FULL, other writes work"


# ---------------------------------------------------------------- crash


class Load:
    """Mixed traffic from several clients until told to stop: sign-ups,
    sign-ins, profile edits, avatar uploads and transfers. Keeps every
    transfer the server acknowledged."""

    def __init__(self, api, users, clients):
        self.api = api
        self.users = users  # [(email, tokens)]
        self.clients = clients
        self.stop = threading.Event()
        self.acknowledged = []  # (payer token, transfer id)
        self.errors = []  # 5xx answers before the kill
        self.counts = {}
        self.lock = threading.Lock()
        self.serial = itertools.count()

    def run(self):
        threads = [threading.Thread(target=self._client, args=(i,)) for i in range(self.clients)]
        for t in threads:
            t.start()
        return threads

    def _count(self, name):
        with self.lock:
            self.counts[name] = self.counts.get(name, 0) + 1

    def _client(self, index):
        api = self.api.clone()
        rng = random.Random(index)
        while not self.stop.is_set():
            try:
                self._one(api, rng)
            except ApiFailure as e:
                self.errors.append(str(e))
            except httpx.HTTPError:
                if self.stop.is_set():
                    return
                time.sleep(0.05)

    def _one(self, api, rng):
        n = next(self.serial)
        email, tokens = rng.choice(self.users)
        token = tokens["token"]
        op = rng.choice(["sign-up", "sign-in", "profile edit", "avatar upload", "transfer", "transfer"])
        if op == "sign-up":
            r = api.call("POST", "/api/v1/auth/register", json={"email": f"crash-{n}-{uuid.uuid4().hex[:6]}@example.com", "password": PASSWORD})
        elif op == "sign-in":
            r = api.call("POST", "/api/v1/auth/login", json={"identifier": email, "password": PASSWORD})
        elif op == "profile edit":
            r = api.edit_profile(token, f"Crash {n}")
        elif op == "avatar upload":
            r = api.upload_avatar(token, png_bytes(n))
        else:
            to_email, _ = rng.choice([u for u in self.users if u[0] != email])
            request_id = f"crash-{n}"
            r = api.transfer(token, to_email, "0.01", request_id)
            if r.status_code in (200, 201):
                with self.lock:
                    self.acknowledged.append((token, r.json()["transfer_id"]))
        if r.status_code >= 500:
            raise ApiFailure(f"{op} answered {r.status_code} before the kill: {r.text[:160]}")
        self._count(op)


def crash(run):
    """`kill -9` in the middle of mixed load, restart on the same data; as
    many rounds as asked."""
    server = run.server("crash", {"UC_REQUIRE_CONTACT_CODE": "false"})
    try:
        api = server.start().bootstrap()
        users = []
        for i in range(6):
            email = f"crash-user-{i}@example.com"
            users.append((email, funded_user(api, email, amount="100.00")[1]))
        acknowledged, answers = [], 0
        for _ in range(run.crash_rounds):
            load = Load(api, users, clients=6)
            answers += crash_once(run, server, load)
            acknowledged += load.acknowledged
            if load.errors:
                raise ApiFailure(f"under load, before the kill: {load.errors[0]}")
            audit = nothing_half_written(api, server)
            lost = [tid for token, tid in acknowledged if tid not in api.history_ids(token)]
            if lost:
                raise ApiFailure(f"{len(lost)} acknowledged transfers missing after restart: {lost[:5]}")
            for _, tokens in users:
                expect(api.call("GET", "/api/v1/sessions", tokens["token"]), 200)
        return (
            f"{run.crash_rounds} kill(s) under 6 clients' sign-ups, sign-ins, profile edits, uploads and "
            f"transfers ({answers} answers): each restart ran the migrations again (and `server migrate` "
            f"by hand) as no-ops; all {len(acknowledged)} acknowledged transfers in the history, auditor "
            f"clean ({audit['transfers']} transfers), no orphan or half-written files"
        )
    finally:
        server.stop()


def crash_once(run, server, load):
    """Runs `load`, kills the server at a random moment, restarts it;
    returns how many answers the clients had."""
    threads = load.run()
    time.sleep(run.crash_secs * random.uniform(0.5, 1.0))
    server.kill()
    load.stop.set()
    for t in threads:
        t.join()
    # Migrations run again at start, and by hand: both must be no-ops.
    server.start()
    server.cli("migrate")
    return sum(load.counts.values())


FAULTS = {
    "mail": ("Mail server hangs", mail_hangs),
    "sms": ("SMS gateway errors", sms_fails),
    "disk": ("Disk full", disk_full),
    "crash": ("Crash (kill -9)", crash),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--timeout", type=int, default=2, help="UC_DELIVERY_TIMEOUT_SECS")
    parser.add_argument("--crash-secs", type=float, default=8, help="load before each kill")
    parser.add_argument("--crash-rounds", type=int, default=3, help="kills and restarts")
    parser.add_argument("--only", default=",".join(FAULTS), help="comma-separated: " + ",".join(FAULTS))
    args = parser.parse_args()
    run = Run(args)
    rows, failed = [], 0
    for key in args.only.split(","):
        title, check = FAULTS[key]
        started = time.monotonic()
        try:
            result = "survived: " + check(run)
        except Exception as e:  # noqa: BLE001 - any failure is the row's result
            failed += 1
            result = f"**FAILED**: {type(e).__name__}: {e}"
        rows.append((title, check.__doc__.split("\n\n")[0].replace("\n", " "), result, time.monotonic() - started))
        print(f"{title}: {result}", file=sys.stderr, flush=True)
    print("| fault | tried | result | time |")
    print("|---|---|---|---:|")
    for title, tried, result, seconds in rows:
        print(f"| {title} | {' '.join(tried.split())} | {result} | {seconds:.0f} s |")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
