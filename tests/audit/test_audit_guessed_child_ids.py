"""An auditor with a dictionary of child ids learns nothing from an export without personal
data: every id and field pfdo derives from a child's id (or a request id built from it) is
keyed under a secret of the store, so no guess can be checked against the export.

The attack is the one docs/AUDIT.md, section 6, states: for every guess, compute what an
unkeyed derivation would give (the UUIDv5 of a child registration and of request records,
the generated certificate number) and look for it, and for the guess itself, anywhere in
the export. A legacy store, whose log was written before keyed ids, shows that the same
search does find its children, and its export says so.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from audit_support import example

from pfdo import Ledger
from pfdo.domain.base import stable_id
from pfdo.storage import pseudonyms

#: request ids the example year builds from a child's id
REQUEST_FORMS = ("issue-{}", "fund-{}", "enroll-{}", "terminate-{}")


def year_children() -> list[str]:
    """Every child of the example year: those funded at once and the one that waits."""
    return [row[0] for row in (*example().CHILDREN, example().WAITING)]


def plausible_children() -> Iterator[str]:
    """10,000 more guesses: ids shaped like the year's and like СНИЛС numbers."""
    for n in range(5_000):
        yield f"child-{n:02d}"
    for n in range(5_000):
        yield f"{n:03d}-{(n * 7) % 1000:03d}-{(n * 13) % 1000:03d} {n % 100:02d}"


def unkeyed_derivations(child: str) -> Iterator[str]:
    """Everything an unkeyed derivation makes of `child`, in the forms an export prints."""
    yield child
    registration = stable_id("child", child)
    yield str(registration)
    yield registration.hex
    for form in REQUEST_FORMS:
        yield str(stable_id("request", form.format(child)))
    for attempt in range(3):
        digest = hashlib.sha256(f"pfdo-number:{child}:{attempt}".encode()).digest()
        yield str(1_000_000_000 + int.from_bytes(digest[:8], "big") % 9_000_000_000)


def matches(exported: bytes, guesses: Iterator[str]) -> list[str]:
    text = exported.decode()
    return [g for g in guesses if any(d in text for d in unkeyed_derivations(g))]


def export(db: str, out: Path) -> list[str]:
    with Ledger(db) as ledger:
        return ledger.auditor().export(out).warnings


def test_no_child_of_the_year_nor_a_plausible_guess_is_found_in_an_export(
    year_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "year.jsonl"
    assert export(year_url, out) == []
    guesses = [*year_children(), *plausible_children()]
    assert len(guesses) == len(year_children()) + 10_000
    assert matches(out.read_bytes(), iter(guesses)) == []


def test_a_legacy_store_gives_its_children_away_and_its_export_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "legacy.sqlite")
    with monkeypatch.context() as patched:  # as pfdo wrote stores before keyed ids
        patched.setattr(pseudonyms, "ensure_ids_key", lambda *_, **__: None)
        with Ledger(db) as ledger:
            numbers = list(example().play_year(ledger))
    out = tmp_path / "legacy.jsonl"
    warnings = export(db, out)  # a pfdo that keys ids opens it: the log stays unkeyed
    assert len(warnings) == 1 and "guessed child id" in warnings[0]
    assert sorted(matches(out.read_bytes(), iter(year_children()))) == sorted(year_children())
    assert len(numbers) == len(year_children())
