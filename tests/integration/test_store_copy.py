"""Moving a store: the example year copied SQLite -> SQLite or PostgreSQL -> SQLite answers
alike on all three stores, verifies with the same chain head, verifies the source's signed
checkpoint and bills the next month alike; a copy taken while writers go on and completed
after they stop equals its source; a copy killed at random points and run again is whole.

The middle store of the round trip is the test's backend (`new_store`), so the copy runs
both ways between SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from integration.test_concurrency import _set_up
from pfdo import Ledger, PfdoError
from pfdo.application.store_copy import copy_store
from pfdo.audit.auditor import Auditor
from pfdo.audit.checkpoint import write_file
from pfdo.audit.keys import generate, load_signing_key
from pfdo.storage.copying import SideRows, last_position, log_events
from pfdo.storage.store import StoreURL
from pfdo.storage.tokens import TokenRow, TokenTable

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EXPECTED: dict[str, Any] = json.loads((FIXTURES / "release-expected.json").read_text())
PROVIDER, LAST_MONTH, NEXT_MONTH, PERIOD = "POOL", "2025-10", "2025-11", "2025"


def the_year(tmp_path: Path) -> str:
    """A store of the example year (January to October), as the release fixture has it."""
    source = tmp_path / "year.sqlite"
    shutil.copyfile(FIXTURES / "release-store.sqlite", source)
    return str(source)


def answers(db: str) -> dict[str, Any]:
    """Every balance, the histories, the register, the invoices and the period report."""
    numbers = EXPECTED["numbers"]
    with Ledger(db) as ledger:
        return {
            "balances": {n: ledger.balance(n).model_dump(mode="json") for n in numbers},
            "histories": {n: ledger.history(n).model_dump(mode="json") for n in numbers},
            "register": ledger.register(PROVIDER, month=LAST_MONTH).model_dump(mode="json"),
            "invoices": ledger.invoices(provider=PROVIDER).model_dump(mode="json"),
            "report": ledger.period_report(PERIOD).model_dump(mode="json"),
        }


def verified_head(db: str, checkpoint: Path | None = None, public: Path | None = None) -> Any:
    with Auditor.open(db, create=False) as auditor:
        result = auditor.verify([checkpoint] if checkpoint else [], public)
    assert result.problems == [] and result.ok, result.problems
    return result.head.model_dump(mode="json")


def test_the_year_goes_there_and_back_whole(new_store: Any, tmp_path: Path) -> None:
    source, middle, back = the_year(tmp_path), new_store(), str(tmp_path / "back.sqlite")
    private, public, _ = generate(tmp_path / "operator.key")
    with Ledger(source) as ledger:
        signed = ledger.auditor().checkpoint(load_signing_key(private))
    write_file(tmp_path / "checkpoint.json", signed)

    there = copy_store(source, middle)
    again = copy_store(middle, back)

    head = verified_head(source)
    assert there.verified and again.verified
    assert there.events == again.events == there.position == head["position"]
    assert there.head.model_dump() == again.head.model_dump() == head
    stores = (source, middle, back)
    for db in stores:
        assert verified_head(db, tmp_path / "checkpoint.json", public) == head
        with Auditor.open(db, create=False) as auditor:
            assert [c.head for c in auditor.checkpoints()] == [signed.head]
    assert answers(middle) == answers(back) == answers(source)

    billed = []
    for db in stores:
        with Ledger(db) as ledger:
            bill = ledger.bill(NEXT_MONTH, on="2025-12-01", request_id="next-month")
            billed.append(bill.model_dump(mode="json"))
    assert billed == [{**EXPECTED["bill"], "replayed": False}] * 3
    assert answers(middle) == answers(back) == answers(source)
    # each store wrote its own events (their time stamps differ): each verifies, at the
    # same position
    positions = {verified_head(db)["position"] for db in stores}
    assert len(positions) == 1 and positions.pop() > head["position"]


def test_copying_again_copies_only_what_is_new(new_store: Any, tmp_path: Path) -> None:
    source, target = the_year(tmp_path), new_store()
    first = copy_store(source, target)
    unchanged = copy_store(source, target, resume=True)
    assert unchanged.events == 0 and unchanged.verified
    assert unchanged.head == first.head
    with Ledger(source) as ledger:
        ledger.bill(NEXT_MONTH, on="2025-12-01")
        written = ledger.log_position() - first.position
    second = copy_store(source, target)
    assert second.events == written > 0 and second.verified
    assert second.head.model_dump() == verified_head(source) == verified_head(target)
    assert log_events(StoreURL.parse(target)) == log_events(StoreURL.parse(source))


WRITERS = 4


def _writer(args: tuple[str, list[str], int]) -> int:
    """Enrol and bill on the source for a while; the number of commands that succeeded."""
    db, numbers, seed = args
    rng, done = random.Random(seed), 0
    with Ledger(db) as ledger:
        for attempt in range(12):
            start = rng.randint(1, 6)
            try:
                ledger.enroll(
                    rng.choice(numbers),
                    program=rng.choice(["CHESS", "SWIM", "ART"]),
                    start=f"2025-{start:02d}-01",
                    end=f"2025-{start + rng.randint(0, 3):02d}-28",
                    on="2025-01-10",
                )
                done += 1
            except PfdoError:
                pass
            if attempt % 3 == 0:
                ledger.bill(f"2025-{rng.randint(1, 3):02d}", on="2025-06-01")
                done += 1
    return done


def test_a_copy_beside_four_writers_then_after_them_equals_the_source(
    new_store: Any, tmp_path: Path
) -> None:
    source, target = new_store(), str(tmp_path / "copy.sqlite")
    numbers = _set_up(source)
    context = multiprocessing.get_context("spawn")
    passes = []
    with context.Pool(WRITERS) as pool:
        running = pool.map_async(_writer, [(source, numbers, seed) for seed in range(WRITERS)])
        while not running.ready() or not passes:
            passes.append(copy_store(source, target))
        assert sum(running.get()) > 0
    assert all(p.verified for p in passes)
    last = copy_store(source, target)
    assert last.verified
    with Ledger(source) as ledger:
        assert last.position == ledger.log_position()
    assert log_events(StoreURL.parse(target)) == log_events(StoreURL.parse(source))
    assert last.head.model_dump() == verified_head(source) == verified_head(target)
    with Ledger(source) as theirs, Ledger(target) as ours:
        for number in numbers:
            assert ours.balance(number) == theirs.balance(number)
            assert ours.history(number) == theirs.history(number)


def test_a_copy_killed_five_times_then_run_again_is_whole(new_store: Any, tmp_path: Path) -> None:
    source, target = the_year(tmp_path), new_store()
    everything = log_events(StoreURL.parse(source))
    rng = random.Random(20251206)
    # kill when the target has reached a random position: four while events are copied,
    # the last once they all are (while the copy folds, or just after)
    marks = [*sorted(rng.sample(range(1, len(everything)), 4)), len(everything)]
    command = [sys.executable, "-m", "pfdo.cli", "--db", source, "copy", "--to", target]
    reached = []
    for mark in marks:
        process = subprocess.Popen([*command, "--batch", "3", "--json"], stdout=subprocess.PIPE)
        position = everything[mark - 1].position
        while process.poll() is None and last_position(StoreURL.parse(target)) < position:
            time.sleep(0.005)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait()
        copied = log_events(StoreURL.parse(target)) if _has_store(target) else []
        assert copied == everything[: len(copied)]  # a prefix, in order, at its positions
        reached.append(len(copied))
    assert reached == sorted(reached) and 0 < reached[0] < len(everything)
    finished = subprocess.run([*command, "--json"], capture_output=True, text=True, check=True)
    result = json.loads(finished.stdout)
    assert result["verified"] and result["position"] == everything[-1].position
    assert log_events(StoreURL.parse(target)) == everything
    assert result["head"] == verified_head(source) == verified_head(target)
    assert answers(target) == answers(source)


def _has_store(db: str) -> bool:
    from pfdo.storage.store import inspect

    return inspect(StoreURL.parse(db)).state == "ok"


def test_side_rows_compare_by_value() -> None:
    assert SideRows(("name",), [("a",)]) == SideRows(("name",), [("a",)])


def test_an_encrypted_store_stays_encrypted_with_its_key(
    new_store: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from eventsourcing.cryptography import AESCipher

    from integration.year import funded_child, open_year
    from pfdo.storage.copying import _IDENTITY_TABLE, _connect
    from pfdo.storage.store import inspect

    monkeypatch.setenv("PFDO_CIPHER_TOPIC", "eventsourcing.cryptography:AESCipher")
    monkeypatch.setenv("PFDO_CIPHER_KEY", AESCipher.create_key(32))
    source, target = str(tmp_path / "sealed.sqlite"), new_store()
    with Ledger(source) as ledger:
        open_year(ledger)
        number = funded_child(ledger, child="Иванов-Иван")
    copied = copy_store(source, target)
    assert copied.verified
    for db in (source, target):
        url = StoreURL.parse(db)
        side = _connect(url, inspect(url))
        try:
            rows = side.side_rows(_IDENTITY_TABLE)
        finally:
            side.close()
        assert rows is not None and all(value.startswith(b"aead:") for _, value in rows.rows)
    states = [e.state for e in log_events(StoreURL.parse(target))]
    assert states == [e.state for e in log_events(StoreURL.parse(source))]
    assert not any("Иванов".encode() in state for state in states)
    assert verified_head(target) == verified_head(source)
    with Ledger(source) as theirs, Ledger(target) as ours:
        assert ours.balance(number) == theirs.balance(number)


def _tokens(db: str) -> list[TokenRow]:
    from pfdo.storage.store import open_engine

    engine = open_engine(StoreURL.parse(db))
    try:
        return TokenTable(engine).rows()
    finally:
        engine.dispose()


def _holder(db: str, token: str) -> TokenRow | None:
    from pfdo.storage.store import open_engine

    engine = open_engine(StoreURL.parse(db))
    try:
        return TokenTable(engine).holder(token)
    finally:
        engine.dispose()


def test_the_services_tokens_travel_row_for_row_and_still_open_the_service(
    new_store: Any, tmp_path: Path
) -> None:
    """The service's tokens (their hashes, roles, scopes and revocations) travel both ways:
    a token made on the source opens the copy, a revoked one does not."""
    from pfdo.storage.store import open_engine

    source, middle, back = the_year(tmp_path), new_store(), str(tmp_path / "back.sqlite")
    engine = open_engine(StoreURL.parse(source))
    try:
        table = TokenTable(engine)
        portal = table.add("portal", "portal", None)
        robot = table.add("import-robot", "operator", "municipality:kazan")
        table.revoke("import-robot")
    finally:
        engine.dispose()
    assert copy_store(source, middle).verified and copy_store(middle, back).verified
    assert _tokens(middle) == _tokens(back) == _tokens(source)
    for copy in (middle, back):
        held = _holder(copy, portal)
        assert held is not None and (held.name, held.role) == ("portal", "portal")
        assert _holder(copy, robot) is None
    assert [(t.name, t.revoked_at is not None) for t in _tokens(back)] == [
        ("import-robot", True),
        ("portal", False),
    ]
