"""Tampering with the SQLite file behind pfdo's back, and `verify` naming what was done.

SQLite only: each test edits the file with the sqlite3 module (the eventsourcing table
`stored_events`, whose rowid is the log position, and pfdo's own tables), as someone who
holds the file could. Each tampering must make `verify` fail with a problem that names
the position and the aggregate of the event concerned.
"""

from __future__ import annotations

import json
from pathlib import Path

from audit_support import Tamper

from pfdo import Ledger
from pfdo.audit import audit_results as res
from pfdo.audit.auditor import Auditor
from pfdo.audit.keys import generate, load_signing_key
from pfdo.audit.problems import Problem
from pfdo.domain.base import stable_id


def verify(path: str, *checkpoints: Path, public_key: Path | None = None) -> res.Verification:
    with Auditor.open(path) as auditor:
        return auditor.verify(checkpoints, public_key)


def found(result: res.Verification, check: str, position: int) -> list[Problem]:
    return [p for p in result.problems if (p.check, p.position) == (check, position)]


def test_the_untouched_year_verifies(year_file: str) -> None:
    result = verify(year_file)
    assert result.ok, result.problems
    assert result.events == result.head.position == result.chained == result.folded
    assert result.checkpoints == 1  # the one recorded when the period closed


def test_a_changed_payload_is_named_by_its_position_and_certificate(tamper: Tamper) -> None:
    position = tamper.first("Certificate.Charged")
    number = tamper.number_at(position)
    state = tamper.state(position)
    amount = state.split(b'"amount":', 1)[1].split(b"}", 1)[0].split(b",", 1)[0]
    tamper.set_state(position, state.replace(b'"amount":' + amount, b'"amount":1'))
    result = verify(tamper.path)
    assert not result.ok
    (problem,) = found(result, "chain", position)
    assert problem.aggregate == f"certificate {number}"
    assert problem.event == "Certificate.Charged"
    assert "not the event the chain recorded" in problem.message
    assert result.problems[0] == problem  # the first thing reported


def test_a_deleted_event_is_named_by_its_position_and_certificate(tamper: Tamper) -> None:
    position = tamper.first("Certificate.Charged")
    number = tamper.number_at(position)
    tamper.delete(position)
    result = verify(tamper.path)
    (problem,) = found(result, "chain", position)
    assert problem.aggregate == f"certificate {number}"
    assert "no longer has it: deleted" in problem.message
    later = [p for p in result.problems if p.check == "log"]  # the next version skips one
    assert later and later[0].aggregate == f"certificate {number}"


def test_an_inserted_event_is_named_by_its_position_and_aggregate(tamper: Tamper) -> None:
    position = tamper.first("Certificate.Charged")
    issued = tamper.first("Certificate.Issued")
    number = "9999999999"
    forged = tamper.state(issued).replace(tamper.number_at(issued).encode(), number.encode())
    identity = stable_id("certificate", number).hex
    tamper.insert(position, (identity, 1, "pfdo.domain.certificate:Certificate.Issued", forged))
    result = verify(tamper.path)
    (problem,) = found(result, "chain", position)
    assert problem.aggregate == f"certificate {number}"
    assert "the chain never recorded it: it was inserted" in problem.message
    (shifted,) = found(result, "chain", position + 1)  # the rest moved one on: one problem
    assert "the log was reordered or renumbered" in shifted.message
    assert f"up to position {tamper.last_position()}" in shifted.message


def test_reordered_events_are_each_named_where_they_now_are(tamper: Tamper) -> None:
    reserved = tamper.first("Certificate.Reserved")
    charged = tamper.first("Certificate.Charged")
    numbers = tamper.number_at(reserved), tamper.number_at(charged)
    tamper.swap(reserved, charged)
    result = verify(tamper.path)
    (first,) = found(result, "chain", reserved)
    (second,) = found(result, "chain", charged)
    assert (first.event, first.aggregate) == ("Certificate.Charged", f"certificate {numbers[1]}")
    assert (second.event, second.aggregate) == ("Certificate.Reserved", f"certificate {numbers[0]}")
    assert f"recorded it at position {charged}" in first.message


def test_a_history_truncated_behind_a_checkpoint_is_caught_only_by_the_kept_checkpoint(
    tamper: Tamper, tmp_path: Path
) -> None:
    private, public, _ = generate(tmp_path / "operator.key")
    with Ledger(tamper.path) as ledger:
        kept = ledger.auditor().checkpoint(load_signing_key(private))
    checkpoint = tmp_path / "checkpoint.json"
    checkpoint.write_text(json.dumps(kept.document()))
    # cut after a whole command (October's billing run), so that the log left is consistent
    (cut,) = tamper.sql(
        "SELECT rowid FROM stored_events WHERE CAST(state AS TEXT) LIKE '%\"bill-2025-10\"%'"
    )[0]
    # a careful forger: the log, its chain, the stored checkpoints and the read models
    tamper.sql("DELETE FROM stored_events WHERE rowid > ?", cut)
    tamper.sql("DELETE FROM pfdo_chain WHERE position > ?", cut)
    tamper.sql("DELETE FROM pfdo_checkpoints")
    tamper.sql("UPDATE pfdo_position SET position = ?", cut)
    with Ledger(tamper.path) as ledger:
        ledger.rebuild()
    assert verify(tamper.path).ok  # nothing inside the store gives it away
    result = verify(tamper.path, checkpoint, public_key=public)
    (problem,) = result.problems
    assert (problem.check, problem.position) == ("checkpoint", kept.position)
    assert f"the log ends at position {cut}" in problem.message
    assert "truncated" in problem.message


def test_a_naive_truncation_is_named_by_the_stored_chain(tamper: Tamper) -> None:
    last = tamper.last_position()
    tamper.sql("DELETE FROM stored_events WHERE rowid > ?", last - 5)
    result = verify(tamper.path)
    (problem,) = found(result, "chain", last - 4)
    assert "deleted" in problem.message and f"up to position {last}" in problem.message
    (closing,) = found(result, "checkpoint", last)  # the checkpoint of the period close
    assert "truncated" in closing.message


def test_a_balance_edited_by_hand_is_named_with_the_event_that_last_wrote_it(
    tamper: Tamper,
) -> None:
    position = tamper.first("Certificate.Expired")
    number = tamper.number_at(position)
    tamper.sql("UPDATE pfdo_balances SET available = available + 100 WHERE number = ?", number)
    last_write = tamper.sql("SELECT max(seq) FROM pfdo_movements WHERE number = ?", number)[0][0]
    result = verify(tamper.path)
    (problem,) = result.problems
    assert (problem.check, problem.position) == ("projection", last_write)
    assert problem.aggregate == f"certificate {number}"
    assert problem.message.startswith(f"pfdo_balances ({number}, 2025): available is 100 ")


def test_a_history_line_edited_by_hand_is_named_by_its_position(tamper: Tamper) -> None:
    position = tamper.first("Certificate.Charged")
    tamper.sql("UPDATE pfdo_movements SET amount = amount + 1 WHERE seq = ?", position)
    (problem,) = verify(tamper.path).problems
    assert (problem.check, problem.position) == ("projection", position)
    assert problem.aggregate == f"certificate {tamper.number_at(position)}"
    assert "amount is" in problem.message


def test_a_checkpoint_altered_after_signing_fails_its_signature(
    year_file: str, tmp_path: Path
) -> None:
    private, public, _ = generate(tmp_path / "operator.key")
    with Ledger(year_file) as ledger:
        signed = ledger.auditor().checkpoint(load_signing_key(private))
    document = {**signed.document(), "position": signed.position - 1}
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(document))
    result = verify(year_file, forged, public_key=public)
    messages = [p.message for p in found(result, "checkpoint", signed.position - 1)]
    assert any("the signature does not verify" in m for m in messages)


def test_a_checkpoint_signed_with_another_key_is_refused(year_file: str, tmp_path: Path) -> None:
    _, public, _ = generate(tmp_path / "operator.key")
    other, _, other_id = generate(tmp_path / "forger.key")
    with Ledger(year_file) as ledger:
        forged = ledger.auditor().checkpoint(load_signing_key(other))
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged.document()))
    result = verify(year_file, path, public_key=public)
    (problem,) = [p for p in result.problems if p.message.startswith(str(path))]
    assert (problem.check, problem.position) == ("checkpoint", forged.position)
    assert f"signed by key {other_id}, not by the public key given" in problem.message
    assert problem.aggregate is not None and problem.event is not None


def test_a_stored_checkpoint_edited_in_its_table_is_caught(tamper: Tamper) -> None:
    (document,) = tamper.sql("SELECT document FROM pfdo_checkpoints")[0]
    position = json.loads(document)["position"]
    tamper.sql("UPDATE pfdo_checkpoints SET document = replace(document, ?, ?)",
               f'"position":{position}', f'"position":{position - 1}')  # fmt: skip
    (problem,) = verify(tamper.path).problems
    assert (problem.check, problem.position) == ("checkpoint", position - 1)
    assert "an event at or before it was changed" in problem.message


def test_a_rebuild_does_not_launder_a_changed_event(tamper: Tamper) -> None:
    position = tamper.first("Certificate.Refunded")
    tamper.set_state(position, tamper.state(position).replace(b'"reason":"', b'"reason":"x'))
    with Ledger(tamper.path) as ledger:
        ledger.rebuild()
    problems = verify(tamper.path).problems  # the read models agree; the chain does not
    closed = tamper.last_position()  # the period close's checkpoint no longer matches either
    assert [(p.check, p.position) for p in problems] == [
        ("chain", position),
        ("checkpoint", closed),
    ]


def test_a_changed_actor_is_named_by_its_position(tamper: Tamper) -> None:
    """Rule 25: the actor is in the payload the chain hashes."""
    position = tamper.first("Contract.Terminated")
    state = tamper.state(position)
    actor = json.loads(state)["actor"]
    assert actor  # the year's commands recorded who ran them
    tamper.set_state(position, state.replace(json.dumps(actor).encode(), b'"someone-else"'))
    result = verify(tamper.path)
    assert not result.ok
    (problem,) = found(result, "chain", position)
    assert problem.event == "Contract.Terminated"
    assert "not the event the chain recorded" in problem.message
