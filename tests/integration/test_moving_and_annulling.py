"""Moving a certificate to another municipality and annulling one (rule 24 (docs/RULES.md)).

Two municipalities, each with a period of 2025; a certificate of "north" is funded
there. It cannot move while funded for north's open period; after an unfund, or once the
period closes, it moves, and then only south's periods may fund it. A certificate that
moves leaves north's waiting lists. An annulment needs a certificate without contracts
or money; an annulled certificate refuses every command, and its child is issued a new
certificate with a new number.
"""

from __future__ import annotations

import pytest

from pfdo import Ledger
from pfdo.domain.errors import (
    AlreadyExists,
    CertificateAnnulled,
    InvalidInput,
    NotFound,
    Refused,
)

NORTH, SOUTH = "2025-N", "2025-S"


def _region(ledger: Ledger, *, count: int | None = None) -> str:
    base: dict[str, object] = {"nominal": "10000"}
    if count is not None:
        base["count"] = count
    for period, municipality in ((NORTH, "north"), (SOUTH, "south")):
        ledger.open_period(
            period, municipality=municipality, start="2025-01-01", end="2025-12-31",
            categories={"base": base}, on="2025-01-01",
        )  # fmt: skip
    return _child(ledger, "c0")


def _child(ledger: Ledger, child: str) -> str:
    return ledger.issue_certificate(
        child=child, birth_date="2015-01-01", municipality="north", on="2025-01-01"
    ).number


def _program(ledger: Ledger) -> None:
    ledger.add_provider("P1", name="Школа", on="2025-01-01")
    ledger.add_program(
        "PR1", provider="P1", title="Шахматы", monthly_price="1000", min_age=5, max_age=17,
        on="2025-01-01",
    )  # fmt: skip


def test_a_move_is_refused_while_funded_for_an_open_period_and_allowed_after_an_unfund(
    ledger: Ledger,
) -> None:
    number = _region(ledger)
    ledger.fund_certificate(number, period=NORTH, category="base", on="2025-01-02")
    with pytest.raises(Refused, match=f"funded for period\\(s\\) {NORTH} of municipality north"):
        ledger.move_certificate(number, to="south", on="2025-02-01")
    assert ledger.certificate(number).municipality == "north"
    ledger.unfund_certificate(number, period=NORTH, on="2025-02-01")
    moved = ledger.move_certificate(number, to="south", on="2025-02-02")
    assert (moved.number, moved.municipality, moved.previous) == (number, "south", "north")
    with pytest.raises(Refused, match="belongs to municipality south, not to north"):
        ledger.fund_certificate(number, period=NORTH, category="base", on="2025-02-03")
    funded = ledger.fund_certificate(number, period=SOUTH, category="base", on="2025-02-03")
    assert funded.period == SOUTH
    card = ledger.certificate(number)
    assert (card.municipality, card.status) == ("south", "active")
    assert [p.period for p in card.periods] == [SOUTH]


def test_a_move_is_allowed_once_the_period_closes_and_keeps_the_closed_period(
    ledger: Ledger,
) -> None:
    number = _region(ledger)
    ledger.fund_certificate(number, period=NORTH, category="base", on="2025-01-02")
    before = ledger.history(number).movements
    ledger.close_period(NORTH, on="2026-01-01")
    closed = ledger.balance(number).periods
    ledger.move_certificate(number, to="south", on="2026-01-02")
    assert ledger.balance(number).periods == closed  # the closed period stays as it was
    assert ledger.history(number).movements[: len(before)] == before
    ledger.open_period(
        "2026-N", municipality="north", start="2026-01-01", end="2026-12-31",
        categories={"base": {"nominal": "10000"}}, on="2026-01-03",
    )  # fmt: skip
    with pytest.raises(Refused, match="belongs to municipality south, not to north"):
        ledger.fund_certificate(number, period="2026-N", category="base", on="2026-01-03")


def test_moving_to_the_municipality_it_has_and_an_unknown_certificate_are_refused(
    ledger: Ledger,
) -> None:
    number = _region(ledger)
    with pytest.raises(Refused, match="belongs to municipality north already"):
        ledger.move_certificate(number, to="north", on="2025-01-02")
    with pytest.raises(NotFound, match="certificate 9999999999 does not exist"):
        ledger.move_certificate("9999999999", to="south", on="2025-01-02")
    with pytest.raises(InvalidInput):
        ledger.move_certificate(number, to="", on="2025-01-02")
    assert ledger.certificate(number).municipality == "north"


def test_a_waiting_certificate_that_moves_leaves_the_list(ledger: Ledger) -> None:
    first = _region(ledger, count=1)
    waiting = _child(ledger, "c1")
    ledger.fund_certificate(first, period=NORTH, category="base", on="2025-01-02")
    queued = ledger.fund_certificate(
        waiting, period=NORTH, category="base", queue=True, on="2025-01-03"
    )
    assert queued.position == 1
    moved = ledger.move_certificate(waiting, to="south", on="2025-01-04")
    assert moved.left_queues == [NORTH]
    assert ledger.queue(period=NORTH, category="base").entries == []
    assert ledger.certificate(waiting).queues == []
    # the room freed in north serves nobody: the mover waits there no more
    assert ledger.unfund_certificate(first, period=NORTH, on="2025-01-05").funded_from_queue == []


def test_annulment_is_refused_with_money_or_a_contract(ledger: Ledger) -> None:
    number = _region(ledger)
    _program(ledger)
    ledger.fund_certificate(number, period=NORTH, category="base", on="2025-01-02")
    with pytest.raises(Refused, match=f"holds money in period\\(s\\) {NORTH}"):
        ledger.annul_certificate(number, reason="wrong child", on="2025-01-03")
    contract = ledger.enroll(
        number, program="PR1", start="2025-02-01", end="2025-02-28", on="2025-01-03"
    ).contract
    ledger.terminate(contract, reason="moved", on="2025-01-04")
    ledger.unfund_certificate(number, period=NORTH, on="2025-01-05")
    with pytest.raises(Refused, match="has had 1 contract"):
        ledger.annul_certificate(number, reason="wrong child", on="2025-01-06")
    assert ledger.balance(number).status == "active"


def test_an_annulled_certificate_refuses_every_command(ledger: Ledger) -> None:
    number = _region(ledger, count=1)
    _program(ledger)
    annulled = ledger.annul_certificate(number, reason="wrong child", on="2025-01-02")
    assert (annulled.number, annulled.status) == (number, "annulled")
    commands = {
        "fund": lambda: ledger.fund_certificate(number, period=NORTH, category="base"),
        "queue": lambda: ledger.fund_certificate(number, period=NORTH, category="base", queue=True),
        "unfund": lambda: ledger.unfund_certificate(number, period=NORTH),
        "leave": lambda: ledger.leave_queue(number, period=NORTH),
        "enroll": lambda: ledger.enroll(
            number, program="PR1", start="2025-02-01", end="2025-02-28"
        ),
        "move": lambda: ledger.move_certificate(number, to="south"),
        "annul": lambda: ledger.annul_certificate(number, reason="again"),
    }
    for name, command in commands.items():
        with pytest.raises(CertificateAnnulled, match=f"certificate {number} is annulled"):
            command()
        assert name  # every command above was refused the same way
    assert ledger.balance(number).status == "annulled"
    assert ledger.certificate(number).status == "annulled"
    assert ledger.balance(number, as_of="2025-01-01").status == "active"
    assert ledger.history(number).movements == []


def test_an_annulled_waiting_certificate_leaves_the_list(ledger: Ledger) -> None:
    first = _region(ledger, count=1)
    waiting = _child(ledger, "c1")
    ledger.fund_certificate(first, period=NORTH, category="base", on="2025-01-02")
    ledger.fund_certificate(waiting, period=NORTH, category="base", queue=True, on="2025-01-03")
    assert ledger.annul_certificate(waiting, reason="wrong child").left_queues == [NORTH]
    assert ledger.queue(period=NORTH, category="base").entries == []


def test_the_child_of_an_annulled_certificate_is_issued_a_new_number(ledger: Ledger) -> None:
    number = _region(ledger)
    with pytest.raises(AlreadyExists, match=f"child c0 already has certificate {number}"):
        _child(ledger, "c0")
    ledger.annul_certificate(number, reason="wrong municipality", on="2025-01-02")
    with pytest.raises(AlreadyExists, match=f"certificate number {number} is already taken"):
        ledger.issue_certificate(
            child="c0", birth_date="2015-01-01", municipality="south", number=number
        )
    renewed = ledger.issue_certificate(
        child="c0", birth_date="2015-01-01", municipality="south", on="2025-01-03"
    )
    assert renewed.number != number
    with pytest.raises(AlreadyExists, match=f"child c0 already has certificate {renewed.number}"):
        _child(ledger, "c0")
    ledger.fund_certificate(renewed.number, period=SOUTH, category="base", on="2025-01-04")
    assert ledger.certificate(renewed.number).status == "active"
    # annulled again, the child gets a third number, never one used before
    ledger.unfund_certificate(renewed.number, period=SOUTH, on="2025-01-05")
    ledger.annul_certificate(renewed.number, reason="wrong child", on="2025-01-05")
    third = ledger.issue_certificate(child="c0", birth_date="2015-01-01", municipality="south")
    assert third.number not in (number, renewed.number)


def test_request_ids_replay_a_move_and_an_annulment(ledger: Ledger) -> None:
    number = _region(ledger)
    moved = ledger.move_certificate(number, to="south", on="2025-01-02", request_id="mv-1")
    again = ledger.move_certificate(number, to="south", on="2025-01-02", request_id="mv-1")
    assert again == moved.model_copy(update={"replayed": True})
    annulled = ledger.annul_certificate(number, reason="error", request_id="an-1")
    replayed = ledger.annul_certificate(number, reason="error", request_id="an-1")
    assert replayed == annulled.model_copy(update={"replayed": True})
    assert len(ledger.history(number).movements) == 0
    assert ledger.certificate(number).municipality == "south"
