"""Rules 15, 16, 17 and 19 decided by the domain alone, in the figures of docs/RULES.md.

Rule 15: price 3,000.00, normative 2,500.00, contract 2025-03-10..2025-05-31, 10,000.00
available. Rule 16: those months advanced at 80%.
"""

from __future__ import annotations

from datetime import date

import pytest

from pfdo.domain import funding
from pfdo.domain.errors import AlreadyExists, LimitExceeded, NotFound, Refused
from pfdo.domain.period import CategoryState, Period
from pfdo.domain.pricing import contract_schedule, normative_cost
from pfdo.domain.settlement import ProviderAccount, parse_document

START, END = date(2025, 3, 10), date(2025, 5, 31)
ON = date(2025, 1, 1)


def test_rule_15_caps_the_share_at_the_normative_cost_and_splits_it_by_price() -> None:
    schedule = contract_schedule(300000, START, END, 1000000, normative_price=250000)
    assert [(m.month, m.price, m.certificate, m.parent) for m in schedule] == [
        ("2025-03", 212903, 177419, 35484),
        ("2025-04", 300000, 250000, 50000),
        ("2025-05", 300000, 250000, 50000),
    ]
    assert normative_cost(250000, START, END) == 677419
    assert normative_cost(None, START, END) is None


def test_rule_15_a_short_certificate_still_caps_below_the_normative_cost() -> None:
    schedule = contract_schedule(300000, START, END, 500000, normative_price=250000)
    assert sum(m.certificate for m in schedule) == 500000  # min(P, N, available)
    assert all(m.certificate <= m.price for m in schedule)


def test_rule_16_advance_lines_at_80_percent() -> None:
    schedule = contract_schedule(300000, START, END, 1000000, normative_price=250000)
    lines = [m.certificate * 80 // 100 for m in schedule]
    assert lines == [141935, 200000, 200000]
    account = ProviderAccount.open("P1", ON)
    number = account.issue_advance("2025-03", [["K-1", "1000000001", lines[0]]], date(2025, 3, 1))
    assert (number, account.documents[number]["total"]) == ("P1/2025-03-A", 141935)
    with pytest.raises(AlreadyExists, match="P1/2025-03-A was already issued"):
        account.issue_advance("2025-03", [["K-1", "1000000001", 1]], date(2025, 3, 2))


def test_rule_17_a_refund_after_an_invoice_is_deducted_once_in_the_next() -> None:
    account = ProviderAccount.open("P1", ON)
    march = account.issue_invoice("2025-03", [["K-1", "n", 177419]], [], {}, 10, date(2025, 4, 1))
    assert (march["amount"], march["adjustments"], march["total"]) == (177419, 0, 177419)
    with pytest.raises(Refused, match="cannot be invoiced: 1 contract month"):
        account.issue_invoice("2025-04", [], ["K-1"], {"2025-03": 167419}, 12, date(2025, 5, 1))
    april = account.issue_invoice(
        "2025-04", [["K-1", "n", 250000]], [], {"2025-03": 167419}, 12, date(2025, 5, 1)
    )  # a refund of 100.00 on March since its invoice
    assert (april["adjustments"], april["total"]) == (10000, 240000)
    may = account.issue_invoice(
        "2025-05", [["K-1", "n", 250000]], [], {"2025-03": 167419, "2025-04": 250000}, 14,
        date(2025, 6, 1),
    )  # fmt: skip
    assert (may["adjustments"], may["total"]) == (0, 250000)


def test_rule_17_documents_are_paid_once_and_named_by_provider_and_month() -> None:
    account = ProviderAccount.open("P/1", ON)
    account.issue_invoice("2025-03", [], [], {}, 1, date(2025, 4, 1))
    assert parse_document("P/1/2025-03") == ("P/1", "2025-03", "invoice")
    assert parse_document("P/1/2025-03-A") == ("P/1", "2025-03", "advance")
    with pytest.raises(Refused, match="issued on 2025-04-01: it cannot be paid earlier"):
        account.pay("P/1/2025-03", date(2025, 3, 31))
    account.pay("P/1/2025-03", date(2025, 4, 2))
    with pytest.raises(AlreadyExists, match="already paid on 2025-04-02"):
        account.pay("P/1/2025-03", date(2025, 4, 3))
    with pytest.raises(NotFound, match="not an invoice number"):
        parse_document("2025-03")


def _period(count: int | None) -> Period:
    state = CategoryState(
        nominal=1000000, count_limit=count, sum_limit=None, funded_count=0, funded_sum=0, unit="rub"
    )
    return Period.open("2025", "m", date(2025, 1, 1), date(2025, 12, 31), {"base": state}, ON)


def test_rule_19_the_list_is_served_head_first_and_stops_at_the_first_that_does_not_fit() -> None:
    period = _period(count=1)
    period.record_funding("1000000001", "base", ON)
    assert [period.enqueue(n, "base", ON) for n in ("1000000002", "1000000003", "1000000004")] == [
        1,
        2,
        3,
    ]
    with pytest.raises(LimitExceeded, match="cannot be lowered to 0"):
        period.change_limits("base", 0, None, ON)
    period.change_limits("base", 3, None, ON)
    served = []
    for number in funding.fitting(period, "base"):
        period.record_funding(number, "base", ON)
        served.append(number)
    assert served == ["1000000002", "1000000003"]
    assert period.waiting_numbers("base") == ["1000000004"]
    assert period.place_of("1000000004") == ("base", 1)
