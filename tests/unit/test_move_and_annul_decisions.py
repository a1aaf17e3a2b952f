"""Moving and annulling a certificate decided on an in-memory reader (`memory_reader`),
without a store, and the certificate's own guards (rule 24)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memory_reader import MemoryReader
from pfdo.application import commands as cmd
from pfdo.application.decisions import certificates, funding, moves, periods
from pfdo.domain.certificate import ACTIVE, ANNULLED, Certificate
from pfdo.domain.errors import CertificateAnnulled, Refused
from pfdo.domain.period import Period

ON = date(2025, 1, 10)
FIRST, SECOND = "3000000001", "3000000002"


def _reader(count: int | None = None) -> MemoryReader:
    reader = MemoryReader()
    for period, municipality in (("N", "north"), ("S", "south")):
        opened = cmd.OpenPeriod(
            period=period,
            municipality=municipality,
            start=date(2025, 1, 1),
            end=date(2025, 12, 31),
            categories={"base": cmd.CategorySpec(nominal="1000", count=count)},
            on=date(2025, 1, 1),
        )
        _, changed = periods.open_period(reader, opened)
        reader.save(changed)
    reader.save(
        [Certificate.issue(n, f"c{n}", date(2015, 1, 1), "north", ON) for n in (FIRST, SECOND)]
    )
    return reader


def _fund(reader: MemoryReader, number: str, period: str = "N", queue: bool = False) -> None:
    command = cmd.FundCertificate(number=number, period=period, category="base", queue=queue)
    _, changed = funding.fund_certificate(reader, command)
    reader.save(changed)


def _move(reader: MemoryReader, number: str, to: str) -> list[str]:
    result, changed = moves.move_certificate(reader, cmd.MoveCertificate(number=number, to=to))
    reader.save(changed)
    return result.left_queues


def _annul(reader: MemoryReader, number: str) -> None:
    command = cmd.AnnulCertificate(number=number, reason="issued in error")
    _, changed = moves.annul_certificate(reader, command)
    reader.save(changed)


def _certificate(reader: MemoryReader, number: str) -> Certificate:
    return reader.get(Certificate, number, "certificate")


def test_a_funded_certificate_moves_only_after_its_unfunding() -> None:
    reader = _reader()
    _fund(reader, FIRST)
    with pytest.raises(Refused, match="funded for period\\(s\\) N of municipality north"):
        _move(reader, FIRST, "south")
    _, changed = funding.unfund_certificate(reader, cmd.UnfundCertificate(number=FIRST, period="N"))
    reader.save(changed)
    assert _move(reader, FIRST, "south") == []
    assert _certificate(reader, FIRST).municipality == "south"
    with pytest.raises(Refused, match="belongs to municipality south, not to north"):
        _fund(reader, FIRST, "N")
    _fund(reader, FIRST, "S")
    assert reader.funded_numbers("S") == [FIRST]


def test_a_queued_certificate_leaves_the_old_list_when_it_moves() -> None:
    reader = _reader(count=1)
    _fund(reader, FIRST)
    _fund(reader, SECOND, queue=True)
    assert _move(reader, SECOND, "south") == ["N"]
    assert reader.get(Period, "N", "period").waiting_numbers("base") == []


def test_annulment_needs_no_money_and_no_contract_and_is_final() -> None:
    reader = _reader()
    _fund(reader, FIRST)
    with pytest.raises(Refused, match="holds money in period\\(s\\) N"):
        _annul(reader, FIRST)
    _annul(reader, SECOND)
    annulled = _certificate(reader, SECOND)
    assert annulled.status == ANNULLED
    for refused in (
        lambda: _fund(reader, SECOND),
        lambda: _move(reader, SECOND, "south"),
        lambda: _annul(reader, SECOND),
    ):
        with pytest.raises(CertificateAnnulled, match=f"certificate {SECOND} is annulled"):
            refused()


def test_a_reissue_registers_a_new_number_for_the_child() -> None:
    reader = MemoryReader()
    issue = cmd.IssueCertificate(
        child="kid", birth_date=date(2015, 1, 1), municipality="north", on=ON
    )
    first, changed = certificates.issue_certificate(reader, issue)
    reader.save(changed)
    _annul(reader, first.number)
    second, changed = certificates.issue_certificate(reader, issue)
    reader.save(changed)
    assert second.number != first.number
    assert _certificate(reader, second.number).status == ACTIVE


@given(pots=st.sets(st.sampled_from(["N", "S", "X"])), contracts=st.integers(0, 3))
def test_annul_is_allowed_exactly_without_pots_or_contracts(pots: set[str], contracts: int) -> None:
    certificate = Certificate.issue(FIRST, "kid", date(2015, 1, 1), "north", ON)
    for period in sorted(pots):
        certificate.fund(period, "base", 100, ON, "rub")
    certificate.contracts = contracts
    if pots or contracts:
        with pytest.raises(Refused):
            certificate.annul("error", ON)
        assert certificate.status == ACTIVE
    else:
        certificate.annul("error", ON)
        assert certificate.status == ANNULLED


@given(municipality=st.sampled_from(["north", "south", "east"]), funded=st.booleans())
def test_a_move_is_allowed_exactly_to_another_municipality_without_open_funding(
    municipality: str, funded: bool
) -> None:
    certificate = Certificate.issue(FIRST, "kid", date(2015, 1, 1), "north", ON)
    open_funded = ["N"] if funded else []
    if municipality == "north" or funded:
        with pytest.raises(Refused):
            certificate.move(municipality, ON, open_funded)
        assert certificate.municipality == "north"
    else:
        certificate.move(municipality, ON, open_funded)
        assert certificate.municipality == municipality
