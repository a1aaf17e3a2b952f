"""Many clients at once over HTTP: a program's capacity holds, whoever asks first."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
from service_helpers import Server, World

CLIENTS = 20
CAPACITY = 5


def test_twenty_enrolments_at_once_into_five_places_admit_exactly_five(
    server: Server, world: World
) -> None:
    world.ledger.add_program(
        "crowded", provider="school-1", title="Crowded", monthly_price="1000", min_age=5,
        max_age=12, capacity=CAPACITY, on="2025-01-05",
    )  # fmt: skip
    numbers = [world.fresh_certificate() for _ in range(CLIENTS)]
    start = threading.Barrier(CLIENTS)

    def enrol(number: str) -> httpx.Response:
        with server.client(world.tokens["portal"]) as client:
            start.wait()
            return client.post(
                "/contracts",
                json={
                    "number": number,
                    "program": "crowded",
                    "start": "2025-02-01",
                    "end": "2025-03-31",
                    "on": "2025-01-20",
                },
            )

    with ThreadPoolExecutor(CLIENTS) as pool:
        answers = list(pool.map(enrol, numbers))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * CAPACITY + [409] * (CLIENTS - CAPACITY), [a.text for a in answers]
    refusals = [a.json() for a in answers if a.status_code == 409]
    assert {r["code"] for r in refusals} == {"capacity"}, refusals
    admitted = world.ledger.contracts(program="crowded").contracts
    assert len(admitted) == CAPACITY
    assert {c.contract for c in admitted} == {
        a.json()["contract"] for a in answers if a.status_code == 200
    }
    assert world.ledger.auditor().verify().ok
