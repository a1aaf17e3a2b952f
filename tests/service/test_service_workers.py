"""Sixteen client processes against a service of two worker processes: nothing is
double-spent, lost or duplicated, and every invariant holds afterwards."""

from __future__ import annotations

import multiprocessing
import random
import signal
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from service_helpers import Server, World, serving

pytestmark = pytest.mark.slow

CLIENTS = 16
ATTEMPTS = 6
PROGRAMS = {"w-chess": None, "w-swim": 4, "w-art": 2}


@pytest.fixture(scope="module")
def two_workers(world: World) -> Iterator[Server]:
    with serving(world.db, "--workers", "2") as running:
        yield running


def _client(args: tuple[str, str, list[str], int]) -> dict[str, Any]:
    url, token, numbers, seed = args
    rng = random.Random(seed)
    enrolled: list[str] = []
    statuses: list[int] = []
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120) as c:
        for attempt in range(ATTEMPTS):
            start = rng.randint(2, 6)
            end = start + rng.randint(0, 3)
            answer = c.post(
                "/contracts",
                json={
                    "number": rng.choice(numbers),
                    "program": rng.choice(sorted(PROGRAMS)),
                    "start": f"2025-{start:02d}-01",
                    "end": f"2025-{end:02d}-28",
                    "on": "2025-01-10",
                },
            )
            statuses.append(answer.status_code)
            if answer.status_code == 200:
                enrolled.append(answer.json()["contract"])
            if attempt % 2 == seed % 2:
                month = f"2025-{rng.randint(2, 4):02d}"
                billed = c.post("/billing-runs", json={"month": month, "on": "2025-06-01"})
                statuses.append(billed.status_code)
    return {"enrolled": enrolled, "statuses": statuses}


def test_sixteen_clients_against_two_workers_keep_the_money_whole(
    two_workers: Server, world: World
) -> None:
    ledger = world.ledger
    for code, capacity in PROGRAMS.items():
        ledger.add_program(
            code, provider="school-2", title=code, monthly_price="1500", min_age=5,
            max_age=17, capacity=capacity, on="2025-01-05",
        )  # fmt: skip
    numbers = [world.fresh_certificate() for _ in range(4)]
    token = world.tokens["admin"]
    context = multiprocessing.get_context("spawn")
    with context.Pool(CLIENTS) as pool:
        outcomes = pool.map(
            _client, [(two_workers.url, token, numbers, seed) for seed in range(CLIENTS)]
        )
    statuses = [s for o in outcomes for s in o["statuses"]]
    assert all(s < 500 for s in statuses), sorted(set(statuses))
    assert set(statuses) <= {200, 409}
    enrolled = [code for o in outcomes for code in o["enrolled"]]
    assert len(enrolled) == len(set(enrolled))
    listed = [c.contract for n in numbers for c in ledger.contracts(certificate=n).contracts]
    assert sorted(listed) == sorted(enrolled)
    for number in numbers:
        (pot,) = ledger.balance(number).periods
        assert pot.credited == pot.available + pot.reserved + pot.spent + pot.expired
        assert min(pot.available, pot.reserved, pot.spent) >= 0
    spent = sum(ledger.balance(n).periods[0].spent for n in numbers)
    registers = sum(
        line.certificate
        for m in ("2025-02", "2025-03", "2025-04")
        for line in ledger.register("school-2", month=m).lines
        if line.number in numbers
    )
    assert registers == spent
    verification = ledger.auditor().verify()
    assert verification.ok, verification.problems


def test_sigterm_stops_the_service_gracefully(world: World, tmp_path: Any) -> None:
    log = tmp_path / "serve.log"
    with serving(world.db, log_path=str(log)) as running:
        with running.client(world.tokens["auditor"]) as client:
            assert client.get("/providers").status_code == 200
        # uvicorn finishes its requests and the lifespan, then dies of the signal it got,
        # as a service manager expects of a process it sent SIGTERM
        assert running.stop() in (0, -signal.SIGTERM)
    said = log.read_text()
    assert "Application shutdown complete" in said and "Finished server process" in said
    assert "Traceback" not in said
