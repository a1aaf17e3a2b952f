"""No argument reaches the rules unvalidated: every public method of `Ledger` (its commands,
reports and exports), fed a wrong-typed value for one argument (None, text for a list, a
number for text, a list or a mapping for text, ...) with the others valid, raises nothing
but a `PfdoError`, and a method that raises writes nothing. A value of the wrong type where
text or a list is wanted, and None where the argument has another default, is
`InvalidInput`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from year import open_year

from pfdo import InvalidInput, Ledger, PfdoError

#: A valid value of each argument, by name; the one fed a wrong value changes alone.
VALID: dict[str, Any] = {
    "number": "1000000001",
    "certificate": "1000000001",
    "program": "CHESS",
    "provider": "P1",
    "period": "2025",
    "category": "base",
    "contract": "1000000001-001",
    "month": "2025-02",
    "start": "2025-02-01",
    "end": "2025-04-30",
    "on": "2025-01-10",
    "title": "Шахматы",
    "name": "Школа",
    "monthly_price": "1500",
    "min_age": 6,
    "max_age": 12,
    "municipality": "kazan",
    "child": "c-1",
    "birth_date": "2015-01-01",
    "categories": {"base": {"nominal": "100"}},
    "dates": ["2025-02-03"],
    "reason": "ошибка",
    "refund": "1",
    "nominal": "100",
    "to": "south",
    "invoice": "P1-2025-02",
    "count": 1,
    "sum": "100",
    "advance": 10,
    "as_of": "2025-02-01",
    "out": "export.xlsx",
    "prolongation": True,
}
#: Methods whose arguments are not data: waiting, following, callbacks, the auditor.
SKIPPED_METHODS = {"auditor", "bulk", "close", "follow", "wait_for", "rebuild", "catch_up"}
SKIPPED_ARGUMENTS = {"self", "progress", "signing_key", "stop", "on_fold"}


def _methods() -> dict[str, inspect.Signature]:
    found = {}
    for name, function in inspect.getmembers(Ledger, inspect.isfunction):
        if name.startswith("_") or name in SKIPPED_METHODS:
            continue
        found[name] = inspect.signature(function)
    return found


METHODS = _methods()
CASES = sorted(
    (method, argument)
    for method, signature in METHODS.items()
    for argument in signature.parameters
    if argument not in SKIPPED_ARGUMENTS
)
WRONG = st.one_of(
    st.none(),
    st.text(max_size=4),
    st.integers(-2, 2),
    st.sampled_from([1.5, float("nan"), True, b"2025", object()]),
    st.lists(st.text(max_size=3), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(0, 2), max_size=2),
)


def _call(ledger: Ledger, method: str, argument: str, value: Any) -> Callable[[], Any]:
    signature = METHODS[method]
    positional, keywords = [], {}
    for name, parameter in signature.parameters.items():
        if name in SKIPPED_ARGUMENTS:
            continue
        if name == argument:
            chosen = value
        elif parameter.default is inspect.Parameter.empty:
            chosen = VALID[name]
        else:
            continue
        if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
            positional.append(chosen)
        else:
            keywords[name] = chosen
    return lambda: getattr(ledger, method)(*positional, **keywords)


def _must_be_invalid(method: str, argument: str, value: Any) -> bool:
    """Whether `value` is of a type `argument` never takes."""
    parameter = METHODS[method].parameters[argument]
    annotation = str(parameter.annotation)
    if value is None:
        return parameter.default is inspect.Parameter.empty or (
            parameter.default is not None and "None" not in annotation
        )
    if annotation in ("str", "str | None"):
        return not isinstance(value, str)
    if annotation == "bool":
        return not isinstance(value, bool)
    if annotation.startswith("Sequence") or annotation.startswith("Iterable"):
        return isinstance(value, str | bytes | dict | int | float)
    return False


@pytest.fixture
def year(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(tmp_path)  # an export written by a valid call lands here
    with Ledger(str(tmp_path / "store.sqlite")) as ledger:
        open_year(ledger)
        yield ledger


def test_every_public_method_with_data_arguments_is_covered() -> None:
    covered = {method for method, _ in CASES}
    assert {"record_attendance", "enroll", "balance", "export_register", "prefetch"} <= covered
    missing = {a for m, a in CASES if a not in VALID} - {
        "queue", "present", "mode", "kind", "format", "unpaid", "request_id", "actor",
        "known_at", "capacity", "normative_price", "hours_per_month", "hour_cost",
        "final_billing_from", "contracts", "request_ids",
    }  # fmt: skip
    assert not missing, f"give a valid value of {missing}"


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=st.sampled_from(CASES), value=WRONG)
def test_a_wrong_typed_argument_raises_only_pfdo_errors_and_writes_nothing(
    year: Ledger, case: tuple[str, str], value: Any
) -> None:
    method, argument = case
    before = year.log_position()
    try:
        _call(year, method, argument, value)()
    except InvalidInput:
        assert year.log_position() == before
        return
    except PfdoError as error:
        assert not _must_be_invalid(method, argument, value), (method, argument, value, error)
        assert year.log_position() == before
        return
    assert not _must_be_invalid(method, argument, value), (method, argument, value)


#: The wrong values every argument of every method is fed, one at a time.
EVERY_WRONG = [None, "", "x", 7, -1, 1.5, True, b"2025", [], ["x"], {}, {"x": 1}, object()]


@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_argument_of_every_method_refuses_each_wrong_type_and_writes_nothing(
    year: Ledger, method: str
) -> None:
    for argument in (a for m, a in CASES if m == method):
        for value in EVERY_WRONG:
            before = year.log_position()
            try:
                _call(year, method, argument, value)()
            except InvalidInput:
                assert year.log_position() == before, (argument, value)
                continue
            except PfdoError as error:
                assert not _must_be_invalid(method, argument, value), (argument, value, error)
                assert year.log_position() == before, (argument, value)
                continue
            assert not _must_be_invalid(method, argument, value), (argument, value)
