"""Rule 25: every command records who asked for it in each event it writes.

The actor comes from the command (`actor=`), else from the bulk it runs in (an import
names its file), else from the `Ledger` (default: the operating-system user). Histories,
as-of histories, contract cards and the auditor's export show it; an older event without
an actor reads None; a retry of a request id by another actor replays the first result.
"""

from __future__ import annotations

import getpass
import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from year import PERIOD, funded_child, open_year

from pfdo import Ledger
from pfdo.application.actors import ACTOR_MAX, check_actor, default_actor, file_actor
from pfdo.desk.imports import import_attendance, import_sheet
from pfdo.domain.errors import InvalidInput

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def exported(ledger: Ledger, out: Path) -> list[dict[str, Any]]:
    """The events of the auditor's export, in log order."""
    with ledger.auditor() as auditor:
        auditor.export(out)
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    return [line for line in lines if line.get("kind") == "event"]


def played(ledger: Ledger) -> tuple[str, str]:
    """A year whose commands each name another actor; the certificate and its contract."""
    open_year(ledger)
    number = funded_child(ledger)
    contract = ledger.enroll(
        number, program="CHESS", start="2025-02-01", end="2025-05-31", on="2025-01-10",
        actor="portal",
    ).contract  # fmt: skip
    ledger.bill(month="2025-02", on="2025-03-01", actor="token:billing")
    ledger.terminate(contract, reason="moved away", on="2025-03-10", actor="provider:P1")
    return number, contract


def test_each_movement_carries_the_actor_of_its_command(db_url: str, tmp_path: Path) -> None:
    with Ledger(db_url, actor="operator-1") as ledger:
        number, contract = played(ledger)
        kinds = [(m.kind, m.actor) for m in ledger.history(number).movements]
        assert kinds == [
            ("funded", "operator-1"),  # no actor given: the ledger's
            ("reserved", "portal"),
            ("charged", "token:billing"),
            ("released", "provider:P1"),
            ("released", "provider:P1"),
        ]
        as_of = ledger.history(number, as_of="2025-03-05").movements
        assert [(m.kind, m.actor) for m in as_of] == kinds[:3]
        assert ledger.history(number).model_dump(mode="json")["movements"][1]["actor"] == "portal"
        card = ledger.contract(contract)
        assert (card.actor, card.terminated_by) == ("portal", "provider:P1")
        events = exported(ledger, tmp_path / "log.jsonl")
    actors = {e["topic"].rsplit(":", 1)[1]: e["payload"]["actor"] for e in events}
    assert actors["Contract.Enrolled"] == "portal"
    assert actors["Contract.MonthBilled"] == "token:billing"
    assert actors["Contract.Terminated"] == "provider:P1"
    assert all(e["payload"]["actor"] for e in events)  # every event, none without


def test_a_card_not_terminated_has_no_terminator(ledger: Ledger) -> None:
    open_year(ledger)
    number = funded_child(ledger)
    code = ledger.enroll(number, program="CHESS", start="2025-02-01", end="2025-05-31",
                         on="2025-01-10").contract  # fmt: skip
    card = ledger.contract(code)
    assert (card.actor, card.terminated_by) == (ledger.actor, None)


def test_the_default_actor_is_the_operating_system_user(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOGNAME", "clerk-7")
    assert default_actor() == getpass.getuser() == "clerk-7"
    with Ledger(db_url) as ledger:
        assert ledger.actor == "clerk-7"
        open_year(ledger)
        number = funded_child(ledger)
        assert [m.actor for m in ledger.history(number).movements] == ["clerk-7"]


def test_a_bulk_names_its_actor_and_a_command_inside_may_name_another(ledger: Ledger) -> None:
    open_year(ledger)
    with ledger.bulk(actor="import:kids.csv") as bulk:
        first = funded_child(bulk, child="child-a")
        second = bulk.issue_certificate(
            child="child-b", birth_date="2015-05-01", municipality="kazan", on="2025-01-05"
        ).number
        bulk.fund_certificate(second, period=PERIOD, category="base", on="2025-01-06",
                              actor="operator-2")  # fmt: skip
    assert [m.actor for m in ledger.history(first).movements] == ["import:kids.csv"]
    assert [m.actor for m in ledger.history(second).movements] == ["operator-2"]


def test_an_imports_events_name_the_file(ledger: Ledger, tmp_path: Path) -> None:
    import_sheet(ledger, "children", str(EXAMPLES / "children.csv"), on="2025-01-05")
    sheet = tmp_path / "more children.csv"
    sheet.write_text("Ребёнок;Дата рождения;Муниципалитет;Номер сертификата\n"
                     "child-91;01.09.2016;city;1100000091\n")  # fmt: skip
    import_sheet(ledger, "children", str(sheet), on="2025-01-05", actor="operator-3")
    events = exported(ledger, tmp_path / "log.jsonl")
    issued = [e["payload"]["actor"] for e in events if e["topic"].endswith("Certificate.Issued")]
    assert issued == ["import:children.csv"] * 3 + ["operator-3"]


def test_a_journals_marks_name_the_journal(ledger: Ledger, tmp_path: Path) -> None:
    open_year(ledger)
    number = funded_child(ledger)
    code = ledger.enroll(number, program="CHESS", start="2025-02-01", end="2025-05-31",
                         mode="attendance", on="2025-01-10").contract  # fmt: skip
    marks = [(2, code, date(2025, 2, 3), True), (3, code, date(2025, 2, 5), False)]
    import_attendance(ledger, marks, file=str(tmp_path / "march journal.csv"))
    import_attendance(ledger, marks[:1], actor="teacher-5", on="2025-02-10")
    events = exported(ledger, tmp_path / "log.jsonl")
    marked = [e["payload"]["actor"] for e in events if "Attendance" in e["topic"]]
    assert marked[-1] == "teacher-5"  # the second journal's one mark
    assert marked[:-1] and set(marked[:-1]) == {"import:march journal.csv"}


def test_a_retry_by_another_actor_replays_and_keeps_the_first_actor(ledger: Ledger) -> None:
    open_year(ledger)
    number = funded_child(ledger)
    args: dict[str, Any] = {"program": "CHESS", "start": "2025-02-01", "end": "2025-05-31",
                            "on": "2025-01-10", "request_id": "enrol-1"}  # fmt: skip
    first = ledger.enroll(number, actor="portal", **args)
    position = ledger.log_position()
    again = ledger.enroll(number, actor="operator-1", **args)
    assert again == first.model_copy(update={"replayed": True})
    assert ledger.log_position() == position  # nothing written
    assert ledger.contract(first.contract).actor == "portal"


@pytest.mark.parametrize(
    "actor", ["", "   ", "a" * (ACTOR_MAX + 1), "bo\nb", "bob\tsmith", "bob\u200bsmith", 7]
)
def test_a_malformed_actor_is_refused_and_writes_nothing(
    db_url: str, ledger: Ledger, actor: Any
) -> None:
    open_year(ledger)
    position = ledger.log_position()
    with pytest.raises(InvalidInput, match="actor"):
        ledger.add_provider("P2", name="Школа №2", kind="municipal", actor=actor)
    with pytest.raises(InvalidInput, match="actor"), ledger.bulk(actor=actor):
        pass
    assert ledger.log_position() == position
    with pytest.raises(InvalidInput, match="actor"):
        Ledger(db_url, actor=actor)


def test_the_form_of_an_actor() -> None:
    assert check_actor("  provider:P1 ") == "provider:P1"
    assert check_actor("Иван Петров") == "Иван Петров"  # a login may hold a space
    assert file_actor("/data/in/Зачисления сентябрь.csv") == "import:Зачисления сентябрь.csv"
    assert len(file_actor("x" * 500)) == ACTOR_MAX


@pytest.fixture
def release_store(tmp_path: Path) -> str:
    copy = tmp_path / "release-store.sqlite"
    shutil.copyfile(FIXTURES / "release-store.sqlite", copy)
    return str(copy)


def test_events_recorded_before_actors_read_none(release_store: str, tmp_path: Path) -> None:
    expected = json.loads((FIXTURES / "release-expected.json").read_text())
    number = expected["numbers"][0]
    with Ledger(release_store, actor="auditor-1") as ledger:
        old = ledger.history(number).movements
        assert old and all(m.actor is None for m in old)
        assert all(m.actor is None for m in ledger.history(number, as_of="2025-12-31").movements)
        assert ledger.auditor().verify().ok
        ledger.bill(month="2025-12", on="2026-01-05")
        assert ledger.auditor().verify().ok
        events = exported(ledger, tmp_path / "log.jsonl")
    assert all(
        "actor" not in e["payload"] for e in events[: expected["before"]["head"]["position"]]
    )
    assert {e["payload"]["actor"] for e in events[expected["before"]["head"]["position"] :]} <= {
        "auditor-1"
    }
