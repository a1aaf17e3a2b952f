"""The service's parts that need no server: the status of each error code (a finer
refusal the table does not know answers as its parent), the caller's language, pages and
the roles' table."""

from __future__ import annotations

from typing import ClassVar

import pytest

from pfdo.domain.errors import (
    ConcurrencyConflict,
    IdempotencyConflict,
    InvalidInput,
    LimitExceeded,
    NotFound,
    PfdoError,
    Refused,
    StoreUnavailable,
)
from pfdo.service.paging import page
from pfdo.service.problems import language_of, of_error, status_of
from pfdo.service.roles import OPERATIONS, REGION_WIDE, Grant, grant, may


class _Unheard(LimitExceeded):
    code: ClassVar[str] = "a_code_no_table_knows"


class _Odd(PfdoError):
    code: ClassVar[str] = "odd"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (InvalidInput("x"), 400),
        (NotFound("x"), 404),
        (Refused("x"), 409),
        (LimitExceeded("x"), 409),
        (IdempotencyConflict("x"), 409),
        (_Unheard("x"), 409),
        (StoreUnavailable("x"), 503),
        (ConcurrencyConflict("x"), 503),
        (_Odd("x"), 500),
    ],
)
def test_a_status_follows_the_code_and_else_the_nearest_known_class(
    error: PfdoError, status: int
) -> None:
    assert status_of(error) == status


def test_invalid_input_carries_its_fields_in_the_problem() -> None:
    error = InvalidInput("bad", (("dates", "not a list"), ("on", "not a date")))
    response = of_error(error, "en")
    assert response.status_code == 400
    assert response.media_type == "application/problem+json"
    assert b'"fields":[{"field":"dates","reason":"not a list"}' in response.body


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "ru"),
        ("", "ru"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("de, en;q=0.5", "en"),
        ("ru-RU, en;q=0.9", "ru"),
        ("en;q=0.2, ru;q=0.8", "ru"),
        ("fr", "ru"),
        ("en;q=abc", "ru"),
    ],
)
def test_the_caller_gets_english_only_when_preferred(header: str | None, language: str) -> None:
    assert language_of(header) == language


def test_pages_walk_a_list_once_and_a_strange_cursor_is_invalid_input() -> None:
    items = [{"k": f"item-{i:02d}"} for i in range(10)]
    seen, cursor = [], None
    while True:
        chosen, cursor = page(items, "k", 4, cursor)
        seen += chosen
        if cursor is None:
            break
    assert seen == items
    assert page(items, "k", 10, None) == (items, None)
    assert page([], "k", 10, None) == ([], None)
    for bad in ("%%%", "bm90LWEtY3Vyc29y", "Im5vLXN1Y2gtaXRlbSI"):
        with pytest.raises(InvalidInput):
            page(items, "k", 4, bad)


def test_an_operator_held_to_a_municipality_may_not_write_region_wide() -> None:
    region = Grant("o", "operator")
    held = Grant("m", "operator", "municipality", "city")
    for operation in OPERATIONS:
        assert may(region, operation)
        assert may(held, operation) == (operation not in REGION_WIDE)
    assert may(Grant("a", "auditor"), "audit") and not may(Grant("a", "auditor"), "billing")


def test_a_grant_names_its_actor_and_scope() -> None:
    made = grant("fam-1", "family", certificate="1000000001")
    assert made.actor == "token:fam-1"
    assert made.scope_text == "certificate:1000000001"
    assert Grant.of("fam-1", "family", "certificate:1000000001") == made
    with pytest.raises(InvalidInput) as refused:
        grant("x", "family", municipality="m")
    assert ("municipality", "a family token takes no municipality") in refused.value.fields


def test_a_finer_code_the_catalogue_lacks_is_titled_as_its_parent() -> None:
    response = of_error(_Unheard("full"), "en")
    assert b'"code":"a_code_no_table_knows"' in response.body
    assert b'"title":"A limit would be exceeded"' in response.body


def test_a_request_that_loses_its_races_is_called_again_until_it_wins() -> None:
    from pfdo.application.results import Result
    from pfdo.service.calls import CALLS_UNDER_CONTENTION, contended

    calls: list[int] = []
    answer = Result()

    def losing_twice() -> Result:
        calls.append(1)
        if len(calls) <= 2:
            raise ConcurrencyConflict("another writer came first")
        return answer

    assert contended(losing_twice, pause=0.001) is answer and len(calls) == 3

    def always_losing() -> Result:
        calls.append(1)
        raise ConcurrencyConflict("another writer came first")

    calls.clear()
    with pytest.raises(ConcurrencyConflict):
        contended(always_losing, pause=0.001)
    assert len(calls) == CALLS_UNDER_CONTENTION


def test_a_refusal_is_not_called_again() -> None:
    from pfdo.application.results import Result
    from pfdo.service.calls import contended

    calls: list[int] = []

    def refused() -> Result:
        calls.append(1)
        raise Refused("the rules say no")

    with pytest.raises(Refused):
        contended(refused, pause=0.001)
    assert calls == [1]
