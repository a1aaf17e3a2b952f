"""Lists and cards (issue 13): providers, programs, periods, a certificate's card and a
contract's, read from the read models after a small year, and the same after a rebuild."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from year import PERIOD, TOWN, funded_child, open_year

from pfdo import Ledger
from pfdo.domain.errors import InvalidInput, NotFound


def _small_year(ledger: Ledger) -> tuple[str, str, str, str]:
    """Two funded children: one in CHESS billed for February and terminated in March, one
    in SWIM by attendance; P2 admitted and excluded; SWIM withdrawn; a second period."""
    open_year(ledger, count=10, total="120000")
    ledger.open_period(
        "2026",
        municipality=TOWN,
        start="2026-01-01",
        end="2026-12-31",
        categories={"base": {"nominal": "15000"}, "small": {"nominal": "1000", "count": 5}},
        on="2025-01-02",
    )
    ledger.add_provider("P2", name="Студия", kind="private", on="2025-01-02")
    ledger.exclude_provider("P2", on="2025-01-03")
    first = funded_child(ledger, "child-1", number="1000000001")
    second = funded_child(ledger, "child-2", number="1000000002")
    chess = ledger.enroll(
        first, program="CHESS", start="2025-02-01", end="2025-05-31", on="2025-01-20"
    ).contract
    swim = ledger.enroll(
        second, program="SWIM", start="2025-02-01", end="2025-03-31", mode="attendance",
        on="2025-01-20",
    ).contract  # fmt: skip
    ledger.program_settings("SWIM", prolongation=False, on="2025-01-24")
    ledger.withdraw_program("SWIM", on="2025-01-25")
    ledger.record_attendance(swim, dates=["2025-02-03", "2025-02-10"], on="2025-02-10")
    ledger.bill("2025-02", on="2025-03-01")
    ledger.terminate(chess, reason="moved", on="2025-03-10")
    return first, second, chess, swim


def _answers(ledger: Ledger, first: str, chess: str) -> dict[str, Any]:
    return {
        "providers": ledger.providers().model_dump(mode="json"),
        "programs": ledger.programs().model_dump(mode="json"),
        "p1": ledger.programs(provider="P1").model_dump(mode="json"),
        "periods": ledger.periods().model_dump(mode="json"),
        "certificate": ledger.certificate(first).model_dump(mode="json"),
        "contract": ledger.contract(chess).model_dump(mode="json"),
        "by_certificate": ledger.contracts(certificate=first).model_dump(mode="json"),
        "by_program": ledger.contracts(program="SWIM").model_dump(mode="json"),
    }


def test_the_lists_show_every_provider_program_and_period(ledger: Ledger) -> None:
    _small_year(ledger)
    assert [(p.provider, p.kind, p.status) for p in ledger.providers().providers] == [
        ("P1", "municipal", "admitted"),
        ("P2", "private", "excluded"),
    ]
    chess, swim = ledger.programs().programs
    assert chess.model_dump(mode="json") == {
        "program": "CHESS",
        "provider": "P1",
        "title": "Шахматы",
        "monthly_price": "1500.00",
        "min_age": 6,
        "max_age": 12,
        "capacity": None,
        "status": "open",
        "normative_price": None,
        "hours_per_month": None,
        "hour_cost": None,
        "prolongation": True,
    }
    assert (swim.capacity, swim.status, swim.monthly_price) == (1, "withdrawn", 300000)
    assert swim.prolongation is False  # rule 23: the switch as `program_settings` set it
    assert ledger.programs(provider="P2").programs == []
    y2025, y2026 = ledger.periods().periods
    assert (y2025.period, y2025.municipality, y2025.start, y2025.end, y2025.status) == (
        PERIOD,
        TOWN,
        date(2025, 1, 1),
        date(2025, 12, 31),
        "open",
    )
    assert [c.model_dump(mode="json") for c in y2025.categories] == [
        {
            "name": "base",
            "nominal": "12000.00",
            "count_limit": 10,
            "sum_limit": "120000.00",
            "unit": "rub",
        }
    ]
    assert [(c.name, c.nominal, c.count_limit, c.sum_limit) for c in y2026.categories] == [
        ("base", 1500000, None, None),
        ("small", 100000, 5, None),
    ]


def test_a_certificate_card_shows_its_balance_lines_and_contracts(ledger: Ledger) -> None:
    first, _second, chess, _swim = _small_year(ledger)
    card = ledger.certificate(first)
    assert (card.number, card.municipality, card.type, card.queues) == (
        first,
        TOWN,
        "financing",
        [],
    )
    assert card.periods == ledger.balance(first).periods
    (contract,) = card.contracts
    assert contract.model_dump(mode="json") == {
        "contract": chess,
        "number": first,
        "program": "CHESS",
        "provider": "P1",
        "period": PERIOD,
        "start": "2025-02-01",
        "end": "2025-05-31",
        "mode": "fixed",
        "status": "terminated",
        "price": "6000.00",
        "share": "6000.00",
        "terminated_on": "2025-03-10",
        "unit": "rub",
    }


def test_a_contract_card_shows_each_month(ledger: Ledger) -> None:
    _first, second, chess, swim = _small_year(ledger)
    card = ledger.contract(chess)
    assert [(m.month, m.status, m.charged, m.released) for m in card.months] == [
        ("2025-02", "billed", 150000, 0),
        ("2025-03", "open", 0, 0),
        ("2025-04", "cancelled", 0, 150000),
        ("2025-05", "cancelled", 0, 150000),
    ]
    swim_card = ledger.contract(swim)
    assert (swim_card.number, swim_card.mode, swim_card.status) == (second, "attendance", "active")
    february = swim_card.months[0]
    assert (february.month, february.status, february.present) == ("2025-02", "billed", 2)
    assert february.recorded == 2
    assert (swim_card.months[1].present, swim_card.months[1].recorded) == (None, None)


def test_contracts_are_listed_by_certificate_or_by_program(ledger: Ledger) -> None:
    first, second, chess, swim = _small_year(ledger)
    assert [c.contract for c in ledger.contracts(certificate=first).contracts] == [chess]
    assert [c.contract for c in ledger.contracts(program="SWIM").contracts] == [swim]
    assert [c.number for c in ledger.contracts(program="SWIM").contracts] == [second]
    with pytest.raises(InvalidInput):
        ledger.contracts()
    with pytest.raises(InvalidInput):
        ledger.contracts(certificate=first, program="SWIM")


def test_unknown_things_are_refused_by_name(ledger: Ledger) -> None:
    _small_year(ledger)
    cases = [
        (lambda: ledger.programs(provider="P9"), "provider P9 does not exist"),
        (lambda: ledger.certificate("1999999999"), "certificate 1999999999 does not exist"),
        (lambda: ledger.contract("1000000001-009"), "contract 1000000001-009 does not exist"),
        (lambda: ledger.contracts(program="ART"), "program ART does not exist"),
        (
            lambda: ledger.contracts(certificate="1999999999"),
            "certificate 1999999999 does not exist",
        ),
    ]
    for call, message in cases:
        with pytest.raises(NotFound, match=f"^{message}$"):
            call()


def test_an_empty_store_lists_nothing(ledger: Ledger) -> None:
    assert ledger.providers().providers == []
    assert ledger.programs().programs == []
    assert ledger.periods().periods == []


def test_after_a_rebuild_the_lists_and_cards_answer_the_same(ledger: Ledger) -> None:
    first, _second, chess, _swim = _small_year(ledger)
    ledger.open_period(
        "2024",
        municipality=TOWN,
        start="2024-01-01",
        end="2024-12-31",
        categories={"base": {"nominal": "10000"}},
        on="2024-01-01",
    )
    ledger.close_period("2024", on="2025-03-20")
    before = _answers(ledger, first, chess)
    assert [(p["period"], p["status"]) for p in before["periods"]["periods"]] == [
        ("2024", "closed"),
        ("2025", "open"),
        ("2026", "open"),
    ]
    ledger.rebuild()
    assert _answers(ledger, first, chess) == before


def test_another_ledger_sees_the_lists_after_catching_up(db_url: str) -> None:
    with Ledger(db_url) as writer, Ledger(db_url) as reader:
        assert reader.providers().providers == []
        first, _second, chess, _swim = _small_year(writer)
        assert _answers(reader, first, chess) == _answers(writer, first, chess)
