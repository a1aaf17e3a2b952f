"""A store encrypted at rest with the eventsourcing library's cipher keeps its chain.

The chain covers the plaintext of each event (with personal data committed), not the
ciphertext: so an encrypted store verifies and exports like a plain one, and encrypting
a plain store in place, or changing its key, leaves every hash as it was. The in-place
encryption is done with the sqlite3 module, so that test runs on SQLite only.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from audit_support import Year, example, play_year
from eventsourcing.cryptography import AESCipher
from eventsourcing.utils import Environment

from pfdo import Ledger
from pfdo.audit.auditor import Auditor
from pfdo.audit.replay import replay
from pfdo.storage.loading import read_log
from pfdo.storage.store import StoreURL, open_event_log

TOPIC = "eventsourcing.cryptography:AESCipher"


def encrypt_at_rest(monkeypatch: pytest.MonkeyPatch) -> str:
    key = AESCipher.create_key(32)
    monkeypatch.setenv("PFDO_CIPHER_TOPIC", TOPIC)
    monkeypatch.setenv("PFDO_CIPHER_KEY", key)
    return key


def stored_states(db: str) -> list[bytes]:
    """The events' state bytes as the store holds them."""
    log = open_event_log(StoreURL.parse(db))
    try:
        return [event.state for event in read_log(log, 0, 100_000)]
    finally:
        log.close()


def test_an_encrypted_store_verifies_exports_and_replays(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    encrypt_at_rest(monkeypatch)
    year = Year(db_url, play_year(db_url))
    child, born = example().CHILDREN[0][:2]
    states = stored_states(year.db)
    assert not any(child.encode() in state or b'"amount"' in state for state in states)
    out = tmp_path / "year.jsonl"
    with Ledger(year.db) as ledger:
        assert ledger.auditor().verify().ok
        ledger.auditor().export(out)
        (balance,) = ledger.balance(year.numbers[0]).periods
    assert child.encode() not in out.read_bytes() and born.encode() not in out.read_bytes()
    replayed = replay(out)
    assert replayed.ok and replayed.balances[0].model_dump()["available"] == 0
    assert {b.number for b in replayed.balances} == set(year.numbers)
    assert balance.spent == next(b.spent for b in replayed.balances if b.number == year.numbers[0])


def test_encrypting_a_plain_store_in_place_leaves_its_chain_as_it_was(
    year_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Auditor.open(year_file) as auditor:
        plain = auditor.verify()
    key = encrypt_at_rest(monkeypatch)
    cipher = AESCipher(Environment(env={"CIPHER_KEY": key}))
    with closing(sqlite3.connect(year_file)) as connection, connection:
        rows = connection.execute("SELECT rowid, state FROM stored_events").fetchall()
        connection.executemany(
            "UPDATE stored_events SET state = ? WHERE rowid = ?",
            [(cipher.encrypt(bytes(state)), rowid) for rowid, state in rows],
        )
    with Auditor.open(year_file) as auditor:
        encrypted = auditor.verify()
    assert encrypted.ok, encrypted.problems
    assert encrypted.head == plain.head
