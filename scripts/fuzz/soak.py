"""The soak: a bounded mixed workload from many clients against one
release server for a fixed time, watching what a long-running process
leaks. Each client is a browser's worth of traffic: it signs in, reads its
profile, balances and history, refreshes its session, pays other users and
uploads avatars, with a pause between requests.

Every `--sample` seconds it records the server's RSS (`VmRSS`), its open
file descriptors and the size of the SQLite WAL; at the end the p99 of each
operation. The verdict: no 5xx or failed request, no growth of RSS or
descriptors after warm-up (the mean of the last third of the samples
against the middle third, within a tolerance), and a WAL that stays
bounded (no growth in the last third, and under a fixed cap).
Prints a Markdown report and exits 1 on a failed verdict.

    soak.py --server BIN --work DIR [--secs N] [--clients N] [--users N] [--sample SECS]
"""

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, os.path.dirname(__file__))
from providers import free_port  # noqa: E402
from uc import PASSWORD, PIN, Server, funded_user, png_bytes  # noqa: E402

# Relative weights of the operations, and the pause between two requests
# of one client (seconds): bounded load, not a stress test.
WEIGHTS = {"read": 55, "refresh": 12, "transfer": 15, "sign-in": 8, "upload": 10}
THINK = (0.2, 0.8)
RSS_TOLERANCE = 0.10  # the last third may be 10 % above the middle third
RSS_SLACK_KB = 4096  # plus allocator noise
FD_SLACK = 8
WAL_CAP = 64 << 20
READS = ["/api/v1/me", "/api/v1/me/profile", "/api/v1/wallet/balances", "/api/v1/wallet/history?currency=CNY"]


class Stats:
    """Latencies and failures per operation."""

    def __init__(self):
        self.latency = {op: [] for op in WEIGHTS}
        self.failures = {op: [] for op in WEIGHTS}

    def record(self, op, seconds, response=None, error=None):
        self.latency[op].append(seconds)
        if error is not None:
            self.failures[op].append(error)
        elif response.status_code >= 300:
            self.failures[op].append(f"{response.status_code} {response.text[:120]}")

    def p99_ms(self, op):
        values = sorted(self.latency[op])
        if not values:
            return 0.0
        return values[min(len(values) - 1, int(len(values) * 0.99))] * 1000


class Client:
    """One simulated browser: its own session, refreshed and renewed."""

    def __init__(self, http, stats, rng, account, others):
        self.http = http
        self.stats = stats
        self.rng = rng
        self.email, self.tokens = account
        self.others = others
        self.serial = 0

    def auth(self):
        return {"Authorization": f"Bearer {self.tokens['token']}"}

    async def sign_in(self):
        """Signs the old session out, and a new one in (a browser's next visit)."""
        await self.http.post("/api/v1/auth/logout", headers=self.auth())
        r = await self.http.post("/api/v1/auth/login", json={"identifier": self.email, "password": PASSWORD})
        if r.status_code == 200:
            self.tokens = r.json()
        return r

    async def refresh(self):
        r = await self.http.post("/api/v1/auth/refresh", json={"refresh_token": self.tokens["refresh_token"]})
        if r.status_code == 200:
            self.tokens = r.json()
        return r

    async def transfer(self):
        body = {
            "to": self.rng.choice(self.others),
            "currency": "CNY",
            "amount": "0.01",
            "request_id": f"soak-{uuid.uuid4().hex}",
            "pin": PIN,
        }
        return await self.http.post("/api/v1/wallet/transfers", json=body, headers=self.auth())

    async def upload(self):
        self.serial += 1
        headers = {**self.auth(), "Content-Type": "image/png"}
        png = png_bytes(self.rng.randrange(1 << 16))
        return await self.http.put("/api/v1/me/avatar", content=png, headers=headers)

    async def read(self):
        return await self.http.get(self.rng.choice(READS), headers=self.auth())

    async def one(self, op):
        action = {
            "read": self.read,
            "refresh": self.refresh,
            "transfer": self.transfer,
            "sign-in": self.sign_in,
            "upload": self.upload,
        }[op]
        started = time.monotonic()
        try:
            r = await action()
            self.stats.record(op, time.monotonic() - started, response=r)
        except httpx.HTTPError as e:
            self.stats.record(op, time.monotonic() - started, error=f"{type(e).__name__}: {e}")

    async def run(self, deadline):
        ops, weights = list(WEIGHTS), list(WEIGHTS.values())
        while time.monotonic() < deadline:
            await self.one(self.rng.choices(ops, weights)[0])
            await asyncio.sleep(self.rng.uniform(*THINK))


def sample(server, started):
    """One row of the process's resources."""
    status = Path(f"/proc/{server.pid}/status").read_text()
    rss_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
    fds = len(os.listdir(f"/proc/{server.pid}/fd"))
    wal = server.data_dir / "user-center.db-wal"
    return {
        "t": time.monotonic() - started,
        "rss_kb": rss_kb,
        "fds": fds,
        "wal": wal.stat().st_size if wal.exists() else 0,
    }


async def watch(server, started, deadline, every, samples):
    while time.monotonic() < deadline:
        samples.append(sample(server, started))
        await asyncio.sleep(every)
    samples.append(sample(server, started))


def thirds(samples, key):
    """Mean of the middle and of the last third (the first third is warm-up)."""
    n = len(samples) // 3
    middle = [s[key] for s in samples[n : 2 * n]] or [samples[0][key]]
    last = [s[key] for s in samples[2 * n :]]
    return statistics.mean(middle), statistics.mean(last)


def verdict(samples, stats):
    """The reasons the soak failed; empty when it passed."""
    reasons = []
    for op, failures in stats.failures.items():
        if failures:
            reasons.append(f"{len(failures)} failed {op}: {failures[0]}")
    rss_mid, rss_last = thirds(samples, "rss_kb")
    if rss_last > rss_mid * (1 + RSS_TOLERANCE) + RSS_SLACK_KB:
        reasons.append(f"RSS grew: {rss_mid / 1024:.1f} MiB → {rss_last / 1024:.1f} MiB")
    fd_mid, fd_last = thirds(samples, "fds")
    if fd_last > fd_mid + FD_SLACK:
        reasons.append(f"file descriptors grew: {fd_mid:.0f} → {fd_last:.0f}")
    n = len(samples) // 3
    wal_mid = max(s["wal"] for s in samples[: 2 * n] or samples)
    wal_max = max(s["wal"] for s in samples)
    if wal_max > WAL_CAP or (len(samples) >= 9 and wal_max > wal_mid * 1.5 + (4 << 20)):
        reasons.append(f"WAL not bounded: {wal_mid >> 10} KiB before, {wal_max >> 10} KiB at the end")
    return reasons


def prepare(server, users):
    """The accounts the clients share: funded, with a PIN and a session each."""
    api = server.bootstrap()
    accounts = []
    for i in range(users):
        email = f"soak-{i}@example.com"
        accounts.append((email, funded_user(api, email, amount="100000.00")[1]))
    return accounts


async def soak(args):
    server = Server(args.server, Path(args.work) / "soak" / "data", free_port())
    server.start()
    try:
        accounts = prepare(server, args.users)
        stats, samples = Stats(), []
        limits = httpx.Limits(max_connections=args.clients)
        async with httpx.AsyncClient(base_url=server.url, timeout=30, limits=limits) as http:
            clients = []
            for i in range(args.clients):
                rng = random.Random(i)
                account = accounts[i % len(accounts)]
                others = [email for email, _ in accounts if email != account[0]]
                client = Client(http, stats, rng, account, others)
                # Each client has a session of its own, as each browser does.
                await client.sign_in()
                clients.append(client)
            started = time.monotonic()
            deadline = started + args.secs
            await asyncio.gather(
                watch(server, started, deadline, args.sample, samples),
                *(c.run(deadline) for c in clients),
            )
        if server.proc.poll() is not None or server.log_has_panic():
            raise SystemExit(f"the server died or panicked: {server.log_tail()}")
        return samples, stats, time.monotonic() - started
    finally:
        server.stop()


def report(args, samples, stats, seconds, reasons):
    """The soak's figures as Markdown."""
    total = sum(len(v) for v in stats.latency.values())
    lines = [
        f"{args.clients} clients on {args.users} accounts for {seconds:.0f} s: {total} requests "
        f"({total / seconds:.0f}/s), a pause of {THINK[0]}–{THINK[1]} s after each.",
        "",
        "| operation | requests | failed | p99 |",
        "|---|---:|---:|---:|",
    ]
    for op in WEIGHTS:
        lines.append(f"| {op} | {len(stats.latency[op])} | {len(stats.failures[op])} | {stats.p99_ms(op):.0f} ms |")
    rss_mid, rss_last = thirds(samples, "rss_kb")
    fd_mid, fd_last = thirds(samples, "fds")
    lines += [
        "",
        "| every " + f"{args.sample:g} s" + " | first | middle third (mean) | last third (mean) | max |",
        "|---|---:|---:|---:|---:|",
        f"| RSS | {samples[0]['rss_kb'] / 1024:.1f} MiB | {rss_mid / 1024:.1f} MiB | {rss_last / 1024:.1f} MiB "
        f"| {max(s['rss_kb'] for s in samples) / 1024:.1f} MiB |",
        f"| open file descriptors | {samples[0]['fds']} | {fd_mid:.0f} | {fd_last:.0f} | {max(s['fds'] for s in samples)} |",
        f"| WAL | {samples[0]['wal'] >> 10} KiB | | | {max(s['wal'] for s in samples) >> 10} KiB |",
        "",
        "RSS samples (MiB): " + " ".join(f"{s['rss_kb'] / 1024:.0f}" for s in samples),
        "",
        "Verdict: " + ("no growth in RSS or descriptors after warm-up, WAL bounded, no failed request."
                       if not reasons else "**FAILED**: " + "; ".join(reasons)),
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--secs", type=float, default=600)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--sample", type=float, default=10)
    args = parser.parse_args()
    samples, stats, seconds = asyncio.run(soak(args))
    reasons = verdict(samples, stats)
    print(report(args, samples, stats, seconds, reasons))
    sys.exit(1 if reasons else 0)


if __name__ == "__main__":
    main()
