"""Exports of the log, and replays of them with no database, on SQLite and PostgreSQL.

A full synthetic year (examples/municipality_year.py) is exported and replayed from the
file alone: every balance, history and register must come out as the database has them.
Then the parts of the log for a period and a certificate; personal data in and out; and
files altered after export, which the replay must catch. Tests on `year_url` run on
SQLite and PostgreSQL; those on `year_file` or `tamper` on SQLite only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from audit_support import MONTHS, PROVIDERS, Tamper, example

from pfdo import Ledger
from pfdo.audit.keys import generate, load_public_key, load_signing_key
from pfdo.audit.replay import replay
from pfdo.domain.errors import InvalidInput, NotFound, Refused

CHILDREN = len(example().CHILDREN) + 1  # and the one that waits for a place


def export(db: str, out: Path, **scope: Any) -> int:
    """Export (catching up first, as `pfdo audit export` does); how many events."""
    with Ledger(db) as ledger:
        return ledger.auditor().export(out, **scope).events


def lines(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def write(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_bytes(b"".join(orjson.dumps(row) + b"\n" for row in rows))


def as_json(model: Any) -> Any:
    return model.model_dump(mode="json")


def test_a_full_year_replayed_from_its_export_gives_the_database_figures(
    year_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "year.jsonl"
    events = export(year_url, out)
    replayed = replay(out)
    assert replayed.ok, replayed.problems
    assert replayed.events == events == len(lines(out)) - 2
    assert len(replayed.balances) == CHILDREN
    with Ledger(year_url) as ledger:
        for line in replayed.balances:
            (stored,) = ledger.balance(line.number, period=line.period).periods
            assert as_json(stored) == {k: v for k, v in as_json(line).items() if k != "number"}
            history = replay(out, certificate=line.number).history
            assert history == ledger.history(line.number).movements
        registers = {(r.provider, r.month): r for r in replayed.registers}
        for provider in PROVIDERS:
            for month in MONTHS:
                stored_register = ledger.register(provider, month=month)
                line = registers.get((provider, month))
                figures = (line.contracts, line.certificate, line.parent) if line else (0, 0, 0)
                assert figures == (
                    len(stored_register.lines),
                    stored_register.total_certificate,
                    stored_register.total_parent,
                )
    (period,) = replayed.periods
    assert (period.period, period.status, period.available, period.reserved) == (
        "2025", "closed", 0, 0,
    )  # fmt: skip
    assert period.spent + period.expired == period.credited


def test_a_periods_part_of_the_log_replays_to_the_same_balances(
    year_url: str, tmp_path: Path
) -> None:
    whole, part = tmp_path / "whole.jsonl", tmp_path / "2025.jsonl"
    export(year_url, whole)
    assert export(year_url, part, period="2025") < len(lines(whole)) - 2
    replayed = replay(part)
    assert replayed.ok, replayed.problems
    assert replayed.scope.period == "2025"
    assert replayed.balances == replay(whole).balances
    assert replayed.registers == replay(whole).registers


def test_a_certificates_part_of_the_log_replays_to_its_balance_and_history(
    year_url: str, tmp_path: Path
) -> None:
    whole = tmp_path / "whole.jsonl"
    export(year_url, whole)
    number = replay(whole).balances[3].number
    part = tmp_path / f"{number}.jsonl"
    export(year_url, part, certificate=number)
    replayed = replay(part, certificate=number)
    assert replayed.ok, replayed.problems
    (balance,) = replayed.balances
    with Ledger(year_url) as ledger:
        (stored,) = ledger.balance(number).periods
        assert as_json(stored) == {k: v for k, v in as_json(balance).items() if k != "number"}
        assert replayed.history == ledger.history(number).movements
    assert {line["payload"].get("number") for line in lines(part)[1:-1]} <= {number, None}


def test_an_export_leaves_personal_data_out_unless_asked(year_url: str, tmp_path: Path) -> None:
    plain, personal = tmp_path / "plain.jsonl", tmp_path / "personal.jsonl"
    export(year_url, plain)
    export(year_url, personal, personal_data=True)
    child, born = example().CHILDREN[0][:2]
    assert child.encode() not in plain.read_bytes()
    assert born.encode() not in plain.read_bytes()
    assert child.encode() in personal.read_bytes() and born.encode() in personal.read_bytes()
    replayed = replay(personal)
    assert replayed.ok and replayed.personal_data
    assert [row["hash"] for row in lines(personal)[1:-1]] == [
        row["hash"] for row in lines(plain)[1:-1]
    ]  # the same chain, with or without the values


def test_a_personal_value_altered_in_an_export_is_named(year_url: str, tmp_path: Path) -> None:
    out = tmp_path / "personal.jsonl"
    export(year_url, out, personal_data=True)
    rows = lines(out)
    row = next(r for r in rows if r.get("topic", "").endswith("Certificate.Issued"))
    row["personal"]["birth_date"]["value"]["_data_"] = "2001-01-01"
    write(out, rows)
    (problem,) = replay(out).problems
    assert (problem.check, problem.position) == ("personal-data", row["position"])
    assert problem.aggregate == f"certificate {row['payload']['number']}"


def test_an_event_altered_in_an_export_is_named(year_url: str, tmp_path: Path) -> None:
    out = tmp_path / "year.jsonl"
    export(year_url, out)
    rows = lines(out)
    row = next(r for r in rows if r.get("topic", "").endswith("Certificate.Charged"))
    row["payload"]["amount"] += 100
    write(out, rows)
    problems = replay(out).problems
    assert (problems[0].check, problems[0].position) == ("chain", row["position"])
    assert problems[0].aggregate == f"certificate {row['payload']['number']}"
    assert "the line was altered" in problems[0].message


def test_an_event_left_out_of_a_full_export_is_noticed(year_url: str, tmp_path: Path) -> None:
    out = tmp_path / "year.jsonl"
    export(year_url, out)
    rows = lines(out)
    gone = rows.pop(100)
    rows[-1]["events"] -= 1
    write(out, rows)
    problems = replay(out).problems
    assert (problems[0].check, problems[0].position) == ("chain", rows[100]["position"])
    assert f"the line before is at {gone['prev_position']}: events are missing" in (
        problems[0].message
    )


def test_an_export_cut_short_is_noticed_and_fails_a_later_checkpoint(
    year_url: str, tmp_path: Path
) -> None:
    private, public, _ = generate(tmp_path / "operator.key")
    with Ledger(year_url) as ledger:
        kept = ledger.auditor().checkpoint(load_signing_key(private))
    out = tmp_path / "year.jsonl"
    export(year_url, out)
    assert replay(out, [kept], load_public_key(public)).ok
    write(out, lines(out)[:-10])  # the close and the last of its expiries
    problems = replay(out, [kept], load_public_key(public)).problems
    assert [p.check for p in problems[:2]] == ["export", "checkpoint"]  # then invariants:
    assert {p.check for p in problems[2:]} == {"invariant"}  # the close's expiries are gone
    assert "no end line" in problems[0].message
    assert problems[1].position == kept.position and "truncated" in problems[1].message


def test_a_file_that_is_no_export_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.jsonl"
    path.write_text(json.dumps({"kind": "header", "format": "something-else"}) + "\n")
    with pytest.raises(InvalidInput, match="is not a pfdo audit export"):
        replay(path)
    path.write_text("not json\n")
    with pytest.raises(InvalidInput, match="line 1: not a JSON object"):
        replay(path)


def test_a_newer_export_version_is_refused(year_file: str, tmp_path: Path) -> None:
    out = tmp_path / "year.jsonl"
    export(year_file, out)
    rows = lines(out)
    rows[0]["version"] = 2
    write(out, rows)
    with pytest.raises(InvalidInput, match="export version 2 is not supported"):
        replay(out)


def test_a_log_that_no_longer_matches_its_chain_is_not_exported(
    tamper: Tamper, tmp_path: Path
) -> None:
    position = tamper.first("Certificate.Released")
    tamper.set_state(position, tamper.state(position).replace(b'"month":"', b'"month":"1'))
    out = tmp_path / "year.jsonl"
    with pytest.raises(Refused, match=f"does not match its chain at position {position}"):
        export(tamper.path, out)
    assert not [p for p in tmp_path.iterdir() if "jsonl" in p.name]  # nothing left behind


def test_exporting_the_part_of_an_unknown_certificate_or_period_is_refused(
    year_file: str, tmp_path: Path
) -> None:
    with pytest.raises(NotFound, match="certificate 0000000000 does not exist"):
        export(year_file, tmp_path / "none.jsonl", certificate="0000000000")
    with pytest.raises(NotFound, match="period 2031 does not exist"):
        export(year_file, tmp_path / "none.jsonl", period="2031")
