"""The HTTP service against the library it serves: the same mixed workload of portal
requests, once over HTTP from concurrent clients on loopback (`pfdo serve`), once called
on a `Ledger` directly from as many threads, in the same run, on copies of one store.

    python3 bench/service.py [--requests 10000] [--clients 40] [--workers 1]

The store (SQLite) is set up once: period 2025 of `city`, a provider with a program,
certificates issued and funded, some of them enrolled; then copied, so both sides start
from the same bytes. The workload is drawn once (seeded) and replayed on both sides:
balances, cards and histories read; certificates issued, children enrolled, lessons
recorded. Figures: requests a second and its ratio over HTTP to the library's, p50 and
p99 latency on each side, the 5xx answers (must be none), and `audit verify` on both
stores afterwards (every invariant). The clients share the machine with the server: on a
small machine they take part of its CPU, which the ratio includes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from pfdo import Ledger, PfdoError
from pfdo.service.grants import Tokens

CATEGORIES = {"base": {"nominal": "100000"}}
BIRTH = "2015-06-01"
#: the mix of the workload: kind -> share of the requests
MIX = {"balance": 40, "card": 15, "history": 10, "enrol": 15, "attend": 10, "issue": 10}
LESSONS = [f"2025-02-{d:02d}" for d in range(3, 29)] + [f"2025-03-{d:02d}" for d in range(3, 29)]


@dataclass(frozen=True)
class Op:
    """One request of the workload."""

    kind: str
    number: str = ""
    contract: str = ""
    date: str = ""
    child: str = ""


def number_of(i: int) -> str:
    return f"1{i:09d}"


def set_up(db: str, funded: int, enrolled: int) -> list[str]:
    """The store both sides start from; the contracts enrolled in it."""
    contracts = []
    with Ledger(db, actor="bench") as ledger:
        ledger.open_period(
            "2025", municipality="city", start="2025-01-01", end="2025-12-31",
            categories=CATEGORIES, on="2025-01-01",
        )  # fmt: skip
        ledger.add_provider("school-1", name="School 1", on="2025-01-01")
        ledger.add_program(
            "chess", provider="school-1", title="Chess", monthly_price="1500", min_age=5,
            max_age=12, on="2025-01-01",
        )  # fmt: skip
        with ledger.bulk(500):
            for i in range(funded):
                ledger.issue_certificate(
                    child=f"child-{i}", birth_date=BIRTH, municipality="city",
                    number=number_of(i), on="2025-01-10",
                )  # fmt: skip
                ledger.fund_certificate(
                    number_of(i), period="2025", category="base", on="2025-01-10"
                )
        for i in range(enrolled):
            contracts.append(
                ledger.enroll(
                    number_of(i), program="chess", start="2025-02-01", end="2025-04-30",
                    mode="attendance", on="2025-01-20",
                ).contract
            )  # fmt: skip
        ledger.catch_up()
    return contracts


def workload(requests: int, funded: int, contracts: list[str], seed: int) -> list[Op]:
    """The requests, drawn once: every enrolment on a certificate of its own, every lesson
    once."""
    rng = random.Random(seed)
    kinds = rng.choices(list(MIX), weights=list(MIX.values()), k=requests)
    free = iter(range(len(contracts), funded))
    lessons = iter((c, d) for d in LESSONS for c in contracts)
    ops = []
    for i, kind in enumerate(kinds):
        if kind == "enrol":
            ops.append(Op(kind, number=number_of(next(free))))
        elif kind == "attend":
            contract, day = next(lessons)
            ops.append(Op(kind, contract=contract, date=day))
        elif kind == "issue":
            ops.append(Op(kind, child=f"new-{i}"))
        else:
            ops.append(Op(kind, number=number_of(rng.randrange(funded))))
    return ops


ENROL = {"program": "chess", "start": "2025-03-01", "end": "2025-04-30", "on": "2025-01-25"}


def on_library(ledger: Ledger, op: Op) -> None:
    """The request as the library call the service makes for it."""
    if op.kind == "balance":
        ledger.balance(op.number)
    elif op.kind == "card":
        ledger.certificate(op.number)
    elif op.kind == "history":
        ledger.history(op.number)
    elif op.kind == "enrol":
        ledger.enroll(op.number, actor="token:bench", **ENROL)
    elif op.kind == "attend":
        ledger.record_attendance(op.contract, dates=[op.date], on="2025-03-30", actor="token:bench")
    else:
        ledger.issue_certificate(
            child=op.child, birth_date=BIRTH, municipality="city", on="2025-01-25",
            actor="token:bench",
        )  # fmt: skip


def as_request(op: Op) -> tuple[str, str, dict[str, Any] | None]:
    """The request over HTTP."""
    if op.kind == "balance":
        return "GET", f"/certificates/{op.number}/balance", None
    if op.kind == "card":
        return "GET", f"/certificates/{op.number}", None
    if op.kind == "history":
        return "GET", f"/certificates/{op.number}/history", None
    if op.kind == "enrol":
        return "POST", "/contracts", {"number": op.number, **ENROL}
    if op.kind == "attend":
        return "POST", f"/contracts/{op.contract}/attendance", {
            "dates": [op.date], "on": "2025-03-30",
        }  # fmt: skip
    return "POST", "/certificates", {
        "child": op.child, "birth_date": BIRTH, "municipality": "city", "on": "2025-01-25",
    }  # fmt: skip


@dataclass
class Run:
    """One side's run: wall seconds, each request's seconds, and its outcomes."""

    seconds: float
    latencies: list[float]
    statuses: dict[str, int]
    #: the CPU seconds of the clients' process (the HTTP side: the clients alone)
    client_cpu: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run_library(db: str, ops: list[Op], clients: int) -> Run:
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    lock = threading.Lock()
    with Ledger(db, actor="bench") as ledger:

        def one(op: Op) -> None:
            began = time.perf_counter()
            try:
                on_library(ledger, op)
                outcome = "ok"
            except PfdoError as error:
                outcome = error.code
            took = time.perf_counter() - began
            with lock:
                latencies.append(took)
                statuses[outcome] = statuses.get(outcome, 0) + 1

        began = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(one, ops))
        seconds = time.perf_counter() - began
    return Run(seconds, latencies, statuses)


class Connection:
    """A bare HTTP/1.1 keep-alive connection: the clients' side costs little CPU, so
    that the machine's cores go to the server (httpx takes several times more a
    request). Every answer of the service has a Content-Length."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @staticmethod
    async def open(port: int) -> Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return Connection(reader, writer)

    async def request(
        self, method: str, path: str, token: str, body: dict[str, Any] | None
    ) -> tuple[int, bytes]:
        payload = b"" if body is None else json.dumps(body).encode()
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {token}\r\nContent-Length: {len(payload)}\r\n"
            + ("Content-Type: application/json\r\n" if body is not None else "")
            + "\r\n"
        )
        self.writer.write(head.encode() + payload)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


async def _http(port: int, token: str, ops: list[Op], clients: int) -> Run:
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    pending = iter(ops)

    async def worker() -> None:
        connection = await Connection.open(port)
        try:
            for op in pending:
                method, path, body = as_request(op)
                began = time.perf_counter()
                status, answer = await connection.request(method, path, token, body)
                latencies.append(time.perf_counter() - began)
                key = str(status)
                if status != 200:
                    key += ":" + str(json.loads(answer).get("code"))
                statuses[key] = statuses.get(key, 0) + 1
        finally:
            connection.close()

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    seconds = time.perf_counter() - began
    return Run(seconds, latencies, statuses)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def run_http(db: str, ops: list[Op], clients: int, workers: int) -> Run:
    with Ledger(db, actor="bench") as ledger:
        tokens = Tokens(ledger)
        token = tokens.create("bench", "admin").token
        tokens.close()
    port = free_port()
    command = [
        sys.executable, "-m", "pfdo.cli", "--db", db, "serve", "--port", str(port),
        "--workers", str(workers),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    server = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        # one warm request a worker, as a portal's first requests would be
        for _ in range(workers * 2):
            httpx.get(f"{url}/providers", headers={"Authorization": f"Bearer {token}"})
        cpu = time.process_time()
        run = asyncio.run(_http(port, token, ops, clients))
        run.client_cpu = time.process_time() - cpu
        return run
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def copy_store(source: str, target: str) -> None:
    with sqlite3.connect(source) as a, sqlite3.connect(target) as b:
        a.backup(b)


def verified(db: str) -> bool:
    with Ledger(db, actor="bench") as ledger:
        result = ledger.auditor().verify()
    return bool(result.ok)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="pfdo-bench-service-"))
    try:
        report = measure(args, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(report, indent=2))
    if report["http"]["5xx"] or not all(report["verified"].values()):
        sys.exit(1)


def measure(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    """Set up, run both sides, verify both stores: the report."""
    share = MIX["enrol"] / sum(MIX.values())
    enrolled = max(50, int(args.requests * MIX["attend"] / sum(MIX.values()) / len(LESSONS)) + 1)
    funded = enrolled + int(args.requests * share * 1.3) + 50
    base, library_db, http_db = (str(folder / f"{n}.sqlite") for n in ("base", "lib", "http"))
    began = time.perf_counter()
    contracts = set_up(base, funded, enrolled)
    copy_store(base, library_db)
    copy_store(base, http_db)
    setup = time.perf_counter() - began
    ops = workload(args.requests, funded, contracts, args.seed)
    library = run_library(library_db, ops, args.clients)
    http = run_http(http_db, ops, args.clients, args.workers)
    five = sum(n for k, n in http.statuses.items() if k.startswith("5"))
    return {
        "requests": args.requests,
        "clients": args.clients,
        "workers": args.workers,
        "mix": MIX,
        "setup_seconds": round(setup, 1),
        "library": {
            "per_second": round(library.rate, 1),
            "p50_ms": round(library.quantile(0.5) * 1000, 2),
            "p99_ms": round(library.quantile(0.99) * 1000, 2),
            "outcomes": library.statuses,
        },
        "http": {
            "per_second": round(http.rate, 1),
            "p50_ms": round(http.quantile(0.5) * 1000, 2),
            "p99_ms": round(http.quantile(0.99) * 1000, 2),
            "outcomes": http.statuses,
            "5xx": five,
            "client_cpu_seconds": round(http.client_cpu, 1),
        },
        "ratio_http_to_library": round(http.rate / library.rate, 3),
        "mean_ms": {
            "library": round(statistics.mean(library.latencies) * 1000, 2),
            "http": round(statistics.mean(http.latencies) * 1000, 2),
        },
        "verified": {"library": verified(library_db), "http": verified(http_db)},
    }


if __name__ == "__main__":
    main()
