"""Funding decided on an in-memory reader (`memory_reader`), without a store: rule 3's
guard first, the count limit, the waiting list and its service (rules 3, 19, 20)."""

from __future__ import annotations

from datetime import date

import pytest

from memory_reader import MemoryReader
from pfdo.application import commands as cmd
from pfdo.application.decisions import funding, periods
from pfdo.domain.certificate import Certificate
from pfdo.domain.errors import AlreadyExists, LimitExceeded

ON = date(2025, 1, 10)
FIRST, SECOND, THIRD = "3000000001", "3000000002", "3000000003"


def _reader(count: int) -> MemoryReader:
    reader = MemoryReader()
    opened = cmd.OpenPeriod(
        period="2025",
        municipality="m",
        start=date(2025, 1, 1),
        end=date(2025, 12, 31),
        categories={"base": cmd.CategorySpec(nominal="1000", count=count)},
        on=date(2025, 1, 1),
    )
    _, changed = periods.open_period(reader, opened)
    for number in (FIRST, SECOND, THIRD):
        changed.append(Certificate.issue(number, f"c{number}", date(2015, 1, 1), "m", ON))
    reader.save(changed)
    return reader


def _fund(reader: MemoryReader, number: str, queue: bool = False) -> object:
    command = cmd.FundCertificate(number=number, period="2025", category="base", queue=queue)
    result, changed = funding.fund_certificate(reader, command)
    reader.save(changed)
    return result.root


def test_a_full_category_refuses_or_queues_and_an_unfunding_serves_the_list() -> None:
    reader = _reader(count=1)
    assert type(_fund(reader, FIRST)).__name__ == "CertificateFunded"
    with pytest.raises(LimitExceeded, match="has reached its count limit of 1"):
        _fund(reader, SECOND)
    queued = _fund(reader, SECOND, queue=True)
    assert getattr(queued, "position", None) == 1
    assert reader.funded_numbers("2025") == [FIRST]
    unfunded, changed = funding.unfund_certificate(
        reader, cmd.UnfundCertificate(number=FIRST, period="2025", on=ON)
    )
    reader.save(changed)
    assert unfunded.funded_from_queue == [SECOND]
    assert reader.funded_numbers("2025", "base") == [SECOND]


def test_the_guard_comes_before_the_limits() -> None:
    reader = _reader(count=1)
    _fund(reader, FIRST)
    # funded already and the category full: refused as funded, not by the limit
    with pytest.raises(AlreadyExists, match=f"{FIRST} is already funded for period 2025"):
        _fund(reader, FIRST, queue=True)
