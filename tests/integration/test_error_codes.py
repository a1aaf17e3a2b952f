"""Errors a program can read: every code of `PfdoError` is raised by a scenario of the public
API, has a sentence in Russian and English in the catalogue, and a refusal writes nothing.

Also what a portal sends by mistake: None where a value is required, a string where a list
is wanted, a malformed code: `InvalidInput` naming the field (`.fields`), never a
`TypeError` nor a default taken in silence.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import RecordConflictError
from year import PERIOD, TOWN, funded_child, open_year

from pfdo import Ledger, PfdoError
from pfdo.application import execution, messages
from pfdo.domain import errors

CONTRACT = "1234567890-001"


def every_code() -> set[str]:
    def below(cls: type[PfdoError]) -> set[type[PfdoError]]:
        return {cls}.union(*(below(sub) for sub in cls.__subclasses__()))

    return {cls.code for cls in below(PfdoError) if cls.__module__ == errors.__name__} - {"error"}


def _period_2024_closed(ledger: Ledger) -> None:
    ledger.open_period(
        "2024", municipality=TOWN, start="2024-01-01", end="2024-12-31",
        categories={"base": {"nominal": "100"}}, on="2024-01-01",
    )  # fmt: skip
    ledger.close_period("2024", on="2025-01-02")


def _period_2026_without_room(ledger: Ledger) -> None:
    ledger.open_period(
        "2026", municipality=TOWN, start="2026-01-01", end="2026-12-31",
        categories={"base": {"nominal": "100", "count": 0}}, on="2025-01-02",
    )  # fmt: skip


def _hours(ledger: Ledger) -> str:
    ledger.open_period(
        "S", municipality="m", start="2026-01-01", end="2026-12-31",
        categories={"social": {"nominal": "1", "unit": "hours"}}, on="2025-01-02",
    )  # fmt: skip
    ledger.add_program(
        "POOL", provider="P1", title="Бассейн", monthly_price="3000", hours_per_month="8",
        hour_cost="169.55", min_age=5, max_age=17, on="2025-01-02",
    )  # fmt: skip
    number = ledger.issue_certificate(
        child="social", birth_date="2015-01-01", municipality="m", on="2025-01-05"
    ).number
    ledger.fund_certificate(number, period="S", category="social", on="2025-01-06")
    return number


def _enrol(ledger: Ledger, number: str, program: str = "CHESS", **kw: Any) -> Any:
    dates = {"start": "2025-02-01", "end": "2025-04-30", "on": "2025-01-10"} | kw
    return ledger.enroll(number, program=program, **dates)


def _conflicting_saves(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    def lose(*_: object, **__: object) -> None:
        raise RecordConflictError("another writer came first")

    monkeypatch.setattr(execution, "BACKOFF", 0.0)
    monkeypatch.setattr(ledger._x.log, "save", lose)
    ledger.add_provider("P9", name="Другая школа", on="2025-01-02")


Scenario = Callable[[Ledger, pytest.MonkeyPatch, Path], object]

SCENARIOS: dict[str, Scenario] = {
    "invalid_input": lambda ledger, *_: ledger.record_attendance(CONTRACT, dates=None),  # type: ignore[arg-type]
    "not_found": lambda ledger, *_: _enrol(ledger, funded_child(ledger), "NOPE"),
    "refused": lambda ledger, *_: (
        ledger.exclude_provider("P1", on="2025-01-02")
        and ledger.exclude_provider("P1", on="2025-01-03")
    ),
    "already_exists": lambda ledger, *_: ledger.add_provider("P1", name="Ещё раз", on="2025-01-02"),
    "period_closed": lambda ledger, *_: (
        _period_2024_closed(ledger)
        or ledger.fund_certificate(funded_child(ledger), period="2024", category="base")
    ),
    "certificate_annulled": lambda ledger, *_: (
        ledger.annul_certificate(
            n := ledger.issue_certificate(
                child="c9", birth_date="2015-01-01", municipality=TOWN, on="2025-01-05"
            ).number,
            reason="issued in error",
            on="2025-01-06",
        )
        and ledger.fund_certificate(n, period=PERIOD, category="base", on="2025-01-07")
    ),
    "limit_exceeded": lambda ledger, *_: (
        _period_2026_without_room(ledger)
        or ledger.fund_certificate(funded_child(ledger), period="2026", category="base")
    ),
    "capacity": lambda ledger, *_: (
        _enrol(ledger, funded_child(ledger, "a"), "SWIM")
        and _enrol(ledger, funded_child(ledger, "b"), "SWIM")
    ),
    "age": lambda ledger, *_: _enrol(ledger, funded_child(ledger, born="2010-01-01")),
    "overlap": lambda ledger, *_: _enrol(ledger, n := funded_child(ledger)) and _enrol(ledger, n),
    "not_funded": lambda ledger, *_: _enrol(
        ledger,
        ledger.issue_certificate(
            child="c8", birth_date="2015-01-01", municipality=TOWN, on="2025-01-05"
        ).number,
    ),
    "insufficient_hours": lambda ledger, *_: _enrol(
        ledger, _hours(ledger), "POOL", start="2026-02-01", end="2026-04-30"
    ),
    "idempotency_conflict": lambda ledger, *_: (
        ledger.add_provider("P7", name="Семь", on="2025-01-02", request_id="r-1")
        and ledger.add_provider("P8", name="Восемь", on="2025-01-02", request_id="r-1")
    ),
    "store_unavailable": lambda _, __, tmp: Ledger(str(tmp / "none.sqlite"), create=False),
    "concurrency_conflict": lambda ledger, monkeypatch, _: _conflicting_saves(ledger, monkeypatch),
}


def test_every_code_has_a_scenario_and_a_sentence_in_both_languages() -> None:
    assert set(SCENARIOS) == every_code()
    for code in every_code():
        ru, en = messages.title(code, "ru"), messages.title(code, "en")
        assert code in messages.CATALOGUE, code
        assert ru != en and any("а" <= ch <= "я" for ch in ru.lower()), (code, ru)


@pytest.fixture
def year(ledger: Ledger) -> Ledger:
    open_year(ledger)
    return ledger


@pytest.mark.parametrize("code", sorted(SCENARIOS))
def test_each_code_is_raised_by_its_scenario_and_said_in_russian(
    year: Ledger, code: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with pytest.raises(PfdoError) as raised:
        SCENARIOS[code](year, monkeypatch, tmp_path)
    assert raised.value.code == code, raised.value
    russian = messages.detail(raised.value, "ru")
    assert russian.startswith(messages.title(code, "ru").split(":")[0][:6]) or any(
        "а" <= ch <= "я" for ch in russian.lower()
    )
    assert messages.detail(raised.value, "en") == str(raised.value)


def test_the_russian_detail_names_the_program_the_certificate_and_the_period(
    year: Ledger,
) -> None:
    with pytest.raises(errors.Capacity) as full:
        SCENARIOS["capacity"](year, pytest.MonkeyPatch(), Path())
    assert messages.detail(full.value, "ru") == (
        "Программа SWIM заполнена: свободных мест на эти даты нет"
    )
    number = year.issue_certificate(
        child="x", birth_date="2015-01-01", municipality=TOWN, on="2025-01-05"
    ).number
    with pytest.raises(errors.NotFunded) as unfunded:
        _enrol(year, number)
    assert messages.detail(unfunded.value, "ru") == (
        f"Сертификат {number} не обеспечен на период {PERIOD}"
    )
    with pytest.raises(errors.NotFound) as missing:
        _enrol(year, funded_child(year, "y"), "NOPE")
    assert messages.detail(missing.value, "ru") == "Не найдено: программа NOPE"


def test_finer_refusals_are_still_caught_as_their_parents() -> None:
    assert issubclass(errors.Capacity, errors.LimitExceeded)
    for finer in (errors.Age, errors.Overlap, errors.NotFunded, errors.InsufficientHours):
        assert issubclass(finer, errors.Refused)


@pytest.mark.parametrize(
    ("arguments", "field", "reason"),
    [
        ({"dates": None}, "dates", "expected a list of dates, got None"),
        ({"dates": "2025-02-03"}, "dates", "expected a list of dates, got a string"),
        ({"dates": ["2025-02-03"], "present": None}, "present", "expected true or false, got None"),
        (
            {"dates": ["2025-02-03"], "present": "no"},
            "present",
            "expected true or false, got a string",
        ),
    ],
)
def test_attendance_refuses_what_is_not_a_list_or_a_boolean_naming_the_field(
    year: Ledger, arguments: dict[str, Any], field: str, reason: str
) -> None:
    contract = _enrol(year, funded_child(year), mode="attendance").contract
    before = year.log_position()
    with pytest.raises(errors.InvalidInput) as raised:
        year.record_attendance(contract, on="2025-03-01", **arguments)
    assert raised.value.fields == ((field, reason),)
    assert year.log_position() == before


def test_none_is_no_default_where_the_argument_has_one(year: Ledger) -> None:
    number = funded_child(year)
    before = year.log_position()
    with pytest.raises(errors.InvalidInput) as raised:
        _enrol(year, number, mode=None)
    assert [field for field, _ in raised.value.fields] == ["mode"]
    with pytest.raises(errors.InvalidInput):
        year.fund_certificate(number, period=PERIOD, category="base", queue=None)  # type: ignore[arg-type]
    assert year.log_position() == before


def test_malformed_input_is_invalid_input_and_unknown_things_are_not_found(year: Ledger) -> None:
    number = funded_child(year)
    with pytest.raises(errors.InvalidInput) as backwards:
        _enrol(year, number, start="2025-03-01", end="2025-02-01")
    assert [field for field, _ in backwards.value.fields] == ["end"]
    with pytest.raises(errors.InvalidInput):
        year.open_period(
            "2027", municipality=TOWN, start="2027-02-01", end="2027-01-01",
            categories={"base": {"nominal": "1"}},
        )  # fmt: skip
    with pytest.raises(errors.NotFound) as no_category:
        year.fund_certificate(number, period=PERIOD, category="gold")
    assert no_category.value.params == {"period": PERIOD, "category": "gold"}
    with pytest.raises(errors.InvalidInput) as position:
        year.balance(number, known_at=-1)  # type: ignore[arg-type]
    assert [field for field, _ in position.value.fields] == ["known_at"]
    with pytest.raises(errors.InvalidInput) as contract:
        year.contract("nope")
    assert [field for field, _ in contract.value.fields] == ["contract"]
    with pytest.raises(errors.InvalidInput) as certificate:
        year.balance("12")
    assert [field for field, _ in certificate.value.fields] == ["number"]


def test_a_request_id_of_256_printable_characters_scoped_by_a_prefix_is_accepted(
    year: Ledger,
) -> None:
    key = "token:portal:" + "k/" * 100  # a client's 200-character key behind a prefix
    first = year.add_provider("P5", name="Пять", on="2025-01-02", request_id=key)
    again = year.add_provider("P5", name="Пять", on="2025-01-02", request_id=key)
    assert (first.replayed, again.replayed) == (False, True)
    assert again.model_copy(update={"replayed": False}) == first
    both = "8c5e1a7e-0d1b-4f0e-9d1e-2f6f3c1b7a10:0b6b5d0e-6a53-4a2b-a0f4-3c2a6f9e1d22"
    assert year.add_provider("P6", name="Шесть", request_id=both).replayed is False


@pytest.mark.parametrize("request_id", ["", "x" * 257, "line\nbreak", "tab\there", 7])
def test_a_request_id_too_long_empty_or_with_a_control_character_is_invalid_input(
    year: Ledger, request_id: Any
) -> None:
    before = year.log_position()
    with pytest.raises(errors.InvalidInput) as raised:
        year.add_provider("P5", name="Пять", request_id=request_id)
    assert [field for field, _ in raised.value.fields] == ["request_id"]
    assert year.log_position() == before


def test_replayed_is_stored_nowhere_and_absent_without_a_request_id(year: Ledger) -> None:
    plain = year.add_provider("P4", name="Четыре", on="2025-01-02")
    assert plain.replayed is None and "replayed" not in plain.model_dump(mode="json")
    number = funded_child(year)
    first = year.enroll(
        number, program="CHESS", start="2025-02-01", end="2025-04-30", on="2025-01-10",
        request_id="enrol-1",
    )  # fmt: skip
    again = year.enroll(
        number, program="CHESS", start="2025-02-01", end="2025-04-30", on="2025-01-10",
        request_id="enrol-1",
    )  # fmt: skip
    assert (first.model_dump(mode="json")["replayed"], again.replayed) == (False, True)
    funded = year.fund_certificate(
        year.issue_certificate(
            child="z", birth_date="2015-01-01", municipality=TOWN, on="2025-01-05"
        ).number,
        period=PERIOD, category="base", on="2025-01-06", request_id="fund-z",
    )  # fmt: skip
    assert funded.replayed is False
    billed = year.bill("2025-02", on="2025-03-01", request_id="bill-02")
    assert (
        billed.replayed,
        year.bill("2025-02", on="2025-03-01", request_id="bill-02").replayed,
    ) == (
        False,
        True,
    )


@pytest.mark.parametrize(
    ("code", "russian"),
    [
        ("limit_exceeded", "Превышен лимит категории base периода 2026"),
        ("idempotency_conflict", "Ключ запроса r-1 уже использован для другой команды"),
        ("period_closed", "Период 2024 закрыт и не принимает команд"),
        ("invalid_input", "Неверные входные данные: поле dates: expected a list of dates"),
        ("age", "Возраст ребёнка не подходит: сертификат "),
    ],
)
def test_the_russian_detail_of_a_scenario_names_what_was_refused(
    year: Ledger, code: str, russian: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with pytest.raises(PfdoError) as raised:
        SCENARIOS[code](year, monkeypatch, tmp_path)
    assert messages.detail(raised.value, "ru").startswith(russian)
