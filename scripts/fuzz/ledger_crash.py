"""Ledger crash test: a storm of signed transfers and deposits, `kill -9` at
random moments, and proof that every acknowledged order is in the journal
exactly once.

64 client threads send signed service deposits and transfers, each with
its own transaction id (the movement's idempotency key). An order that gets
no answer (the server was killed under it, or is restarting) is sent again,
with the same transaction id, until it is answered. Meanwhile the server is
killed with SIGKILL at a random moment of each round and restarted on the
same data directory. At the end:

- every acknowledged order (201, or 200 for a replay) is in the journal
  exactly once, under its transaction id;
- no transaction id is in the journal twice, and no refused order (one
  transfer in twenty asks for more than any balance) is in it;
- the auditor recomputes every balance from the journal and finds it clean;
- each currency's balances sum to zero.

Prints the counts as one line of a table; exits non-zero on any failure.
Run by `./scripts/reliability --only ledger` (5 kills in the short form)."""

import argparse
import contextlib
import json
import random
import sys
import threading
import time
from pathlib import Path

import httpx

from signing import signed_headers
from uc import ApiFailure, Server

SERVICE_ROUTES = {
    "deposit": "/api/v1/service/wallet/deposit",
    "transfer": "/api/v1/service/wallet/transfer",
}


class Storm:
    """The client threads and what they were answered."""

    def __init__(self, url, app_id, secret, users, clients):
        self.url, self.app_id, self.secret = url, app_id, secret
        self.users = users
        self.clients = clients
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acknowledged = {}  # transaction id -> transfer id
        self.refused = {}  # transaction id -> error code
        self.resent = 0  # sends after a send that got no answer
        self.failures = []

    def start(self):
        threads = [threading.Thread(target=self._client, args=(i,), daemon=True) for i in range(self.clients)]
        for t in threads:
            t.start()
        return threads

    def _client(self, index):
        rng = random.Random(index)
        http = httpx.Client(base_url=self.url, timeout=10)
        n = 0
        while not self.stop.is_set():
            n += 1
            transaction_id = f"crash-{index}-{n}"
            if rng.random() < 0.3:
                kind, body = "deposit", {"user_id": rng.choice(self.users), "currency": "CNY", "amount": "1.00"}
            else:
                payer, payee = rng.sample(self.users, 2)
                kind = "transfer"
                # One in twenty asks for more than any balance holds: refused
                # (INSUFFICIENT_FUNDS), and it must leave no trace.
                amount = "100000.00" if rng.random() < 0.05 else "0.01"
                body = {"from_user_id": payer, "to_user_id": payee, "currency": "CNY", "amount": amount}
            try:
                self._until_answered(http, kind, body, transaction_id)
            except ApiFailure as e:
                with self.lock:
                    self.failures.append(str(e))
                return

    def _until_answered(self, http, kind, body, transaction_id):
        """Sends the order, again with the same id while nothing answers."""
        path = SERVICE_ROUTES[kind]
        raw = json.dumps(body).encode()
        deadline = time.monotonic() + 120
        first = True
        while time.monotonic() < deadline:
            if not first:
                with self.lock:
                    self.resent += 1
            first = False
            # A fresh signature each time (the request time is signed), the
            # same transaction id: the server must recognise the order.
            headers = {
                "Content-Type": "application/json",
                **signed_headers(self.app_id, self.secret, "POST", path, raw, transaction_id),
            }
            try:
                r = http.post(path, content=raw, headers=headers)
            except httpx.TransportError:
                time.sleep(0.05)
                continue
            if r.status_code >= 500:
                # A server shutting down or starting may answer 5xx before it
                # decided anything; the order is sent again.
                time.sleep(0.05)
                continue
            with self.lock:
                if r.status_code in (200, 201):
                    self.acknowledged[transaction_id] = r.json()["transfer_id"]
                else:
                    self.refused[transaction_id] = r.json().get("code")
            return
        raise ApiFailure(f"{transaction_id}: no answer for 120 s")


def check_journal(storm, by_id, sums):
    """Every acknowledged order in the journal exactly once, under the row its
    receipt names; no id twice; no refused order; each currency summing to zero."""
    lost = [t for t in storm.acknowledged if len(by_id.get(t, [])) != 1]
    if lost:
        raise ApiFailure(f"{len(lost)} acknowledged orders not in the journal exactly once: {lost[:5]}")
    moved = [t for t, ids in storm.acknowledged.items() if by_id[t] != [ids]]
    if moved:
        raise ApiFailure(f"receipts name other journal rows than the journal: {moved[:5]}")
    twice = [t for t, ids in by_id.items() if len(ids) > 1]
    if twice:
        raise ApiFailure(f"{len(twice)} transaction ids in the journal more than once: {twice[:5]}")
    refused_in = [t for t in storm.refused if t in by_id]
    if refused_in:
        raise ApiFailure(f"refused orders in the journal: {refused_in[:5]}")
    if not storm.refused:
        raise ApiFailure("no order was refused: the run did not test refusals")
    unsummed = {c: s for c, s in sums.items() if s != 0}
    if unsummed:
        raise ApiFailure(f"currencies that do not sum to zero: {unsummed}")


def journal(server):
    """Transfer ids by transaction id (every row of the app's journal), and
    each currency's sum of posted balances."""
    with contextlib.closing(server.database()) as db:
        rows = db.execute(
            "SELECT request_id, id FROM wallet_transfers WHERE actor_service IS NOT NULL"
        ).fetchall()
        sums = dict(db.execute("SELECT currency, SUM(posted) FROM wallet_accounts GROUP BY currency").fetchall())
    by_id = {}
    for request_id, transfer_id in rows:
        by_id.setdefault(request_id, []).append(transfer_id)
    return by_id, sums


def run(args):
    work = Path(args.work)
    server = Server(args.server, work / "data", args.port, log_dir=work)
    try:
        api = server.start().bootstrap()
        users = []
        for i in range(args.users):
            users.append(api.create_user(f"ledger-crash-{i}@example.com"))
        for user in users:
            api.deposit(user, "100.00")
        storm = Storm(server.url, api.app_id, api.app_secret, users, args.clients)
        threads = storm.start()
        kills = 0
        for _ in range(args.kills):
            time.sleep(args.secs * random.uniform(0.3, 1.0))
            server.kill()
            kills += 1
            time.sleep(random.uniform(0.05, 0.5))
            server.start()
        time.sleep(1)
        storm.stop.set()
        for t in threads:
            t.join()
        if storm.failures:
            raise ApiFailure(storm.failures[0])
        if server.log_has_panic():
            raise ApiFailure("the server log has a panic")
        by_id, sums = journal(server)
        check_journal(storm, by_id, sums)
        audit = api.clone()
        audit.admin_token = audit.login("rel-admin@example.com")["token"]
        verdict = audit.audit()
        if verdict["clean"] is not True:
            raise ApiFailure(f"auditor: {verdict}")
        refusals = {}
        for code in storm.refused.values():
            refusals[code] = refusals.get(code, 0) + 1
        return (
            f"{kills} kills under {args.clients} clients: {len(storm.acknowledged)} orders acknowledged, "
            f"each in the journal exactly once; {len(storm.refused)} refused "
            f"({', '.join(f'{k} {v}' for k, v in sorted(refusals.items())) or 'none'}), none in it; "
            f"{storm.resent} resends after no answer; {sum(len(v) for v in by_id.values())} journal rows "
            f"of the app, no id twice; auditor clean ({verdict['transfers']} transfers); every currency sums to zero"
        )
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--port", type=int, default=3460)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--secs", type=float, default=4, help="longest storm between kills")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--users", type=int, default=16)
    args = parser.parse_args()
    started = time.monotonic()
    try:
        result, failed = "survived: " + run(args), False
    except Exception as e:  # noqa: BLE001 - any failure is the row's result
        result, failed = f"**FAILED**: {type(e).__name__}: {e}", True
    print(f"ledger crash: {result}", file=sys.stderr, flush=True)
    print("| test | result | time |")
    print("|---|---|---:|")
    print(f"| Ledger under kill -9 | {result} | {time.monotonic() - started:.0f} s |")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
