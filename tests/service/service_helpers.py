"""Helpers for the service's tests: a real `pfdo serve` on a free loopback port, its
store set up with a small region, a token per role, and httpx clients.

`World` is the region the role tests walk: period 2025 of municipality `city` and 2025v of
`village`; providers `school-1` (program `chess`) and `school-2` (program `art`);
certificate 1000000001 of `city` funded in 2025 and enrolled in `chess` (contract `C1`),
1000000002 of `village` funded in 2025v and enrolled in `art` (`C2`). `fresh_*` make new
objects of `city` and `school-1` for a test that changes them.
"""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from pfdo import Ledger
from pfdo.service.grants import Tokens

FIRST, SECOND = "1000000001", "1000000002"
CATEGORIES = {"base": {"nominal": "12000", "count": 1000}, "small": {"nominal": "1000"}}
ON = "2025-01-10"
#: every role, and the scoped tokens the tests make of them
ROLES = ("admin", "operator", "operator_city", "provider", "portal", "family", "auditor")
SCOPES: dict[str, dict[str, str]] = {
    "operator_city": {"municipality": "city"},
    "provider": {"provider": "school-1"},
    "family": {"certificate": FIRST},
}
PROBLEM = "application/problem+json"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    """A `pfdo serve` process and where it listens."""

    db: str
    process: subprocess.Popen[bytes]
    url: str
    log: Any

    def client(self, token: str | None = None, **headers: str) -> httpx.Client:
        given = dict(headers)
        if token is not None:
            given["Authorization"] = f"Bearer {token}"
        return httpx.Client(base_url=self.url, headers=given, timeout=60)

    def stop(self) -> int:
        """SIGTERM, as a service manager stops it; its exit code."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=30)
        finally:
            self.log.close()


@contextmanager
def serving(db: str, *extra: str, log_path: str | None = None) -> Iterator[Server]:
    """`pfdo --db DB serve --port FREE ...` until the block ends."""
    port = free_port()
    log = open(log_path or os.devnull, "wb")  # noqa: SIM115 (closed by stop)
    command = [sys.executable, "-m", "pfdo.cli", "--db", db, "serve", "--port", str(port), *extra]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    server = Server(db, process, f"http://127.0.0.1:{port}", log)
    try:
        _wait_until_up(server)
        yield server
    finally:
        if process.poll() is None:
            server.stop()
        else:
            log.close()


def _wait_until_up(server: Server, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"pfdo serve exited with {server.process.returncode}")
        try:
            if httpx.get(f"{server.url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("pfdo serve did not answer /health in time")


@dataclass
class World:
    """The region of the role tests, its server and a token per role."""

    db: str
    ledger: Ledger
    tokens: dict[str, str] = field(default_factory=dict)
    contracts: dict[str, str] = field(default_factory=dict)
    _counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def next(self) -> int:
        return next(self._counter)

    def fresh_period(self) -> str:
        """A new period of `city`, a year of its own long ago."""
        year = 1950 + self.next()
        code = f"y{year}"
        self.ledger.open_period(
            code, municipality="city", start=f"{year}-01-01", end=f"{year}-12-31",
            categories=CATEGORIES, on=f"{year}-01-01",
        )  # fmt: skip
        return code

    def fresh_provider(self) -> str:
        code = f"prov-{self.next()}"
        self.ledger.add_provider(code, name=code, on=ON)
        return code

    def fresh_program(self) -> str:
        code = f"prog-{self.next()}"
        self.ledger.add_program(
            code, provider="school-1", title=code, monthly_price="1000", min_age=5, max_age=12,
            on=ON,
        )  # fmt: skip
        return code

    def fresh_certificate(self, *, funded: bool = True) -> str:
        n = self.next()
        number = f"20{n:08d}"
        self.ledger.issue_certificate(
            child=f"fresh-{n}", birth_date="2015-06-01", municipality="city", number=number,
            on=ON,
        )  # fmt: skip
        if funded:
            self.ledger.fund_certificate(number, period="2025", category="base", on=ON)
        return number

    def fresh_contract(self, *, end: str = "2025-04-30") -> str:
        number = self.fresh_certificate()
        enrolled = self.ledger.enroll(
            number, program="chess", start="2025-02-01", end=end, on="2025-01-12"
        )
        return enrolled.contract


def build_world(db: str) -> World:
    """The region, written through the library before the server starts."""
    ledger = Ledger(db, actor="test-setup")
    world = World(db, ledger)
    ledger.open_period(
        "2025", municipality="city", start="2025-01-01", end="2025-12-31",
        categories=CATEGORIES, on="2025-01-01",
    )  # fmt: skip
    ledger.open_period(
        "2025v", municipality="village", start="2025-01-01", end="2025-12-31",
        categories=CATEGORIES, on="2025-01-01",
    )  # fmt: skip
    for provider, program in (("school-1", "chess"), ("school-2", "art")):
        ledger.add_provider(provider, name=provider, on="2025-01-01")
        ledger.add_program(
            program, provider=provider, title=program, monthly_price="1500", min_age=5,
            max_age=12, on="2025-01-01",
        )  # fmt: skip
    for number, child, municipality, period, program in (
        (FIRST, "child-1", "city", "2025", "chess"),
        (SECOND, "child-2", "village", "2025v", "art"),
    ):
        ledger.issue_certificate(
            child=child, birth_date="2015-06-01", municipality=municipality, number=number,
            on=ON,
        )  # fmt: skip
        ledger.fund_certificate(number, period=period, category="base", on=ON)
        enrolled = ledger.enroll(
            number, program=program, start="2025-01-15", end="2025-04-10", on="2025-01-12"
        )
        world.contracts[number] = enrolled.contract
    tokens = Tokens(ledger)
    try:
        for name in ROLES:
            role = "operator" if name == "operator_city" else name
            made = tokens.create(name.replace("_", "-"), role, **SCOPES.get(name, {}))
            world.tokens[name] = made.token
    finally:
        tokens.close()
    return world


def is_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Check a problem answer (RFC 9457) and return its document."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith(PROBLEM), response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["code"] == code, body
    assert {"type", "title", "detail"} <= set(body), body
    assert "Traceback" not in response.text
    return body
