"""The certificate guards every movement of its money (rules 7 and 9-13)."""

from __future__ import annotations

from datetime import date

import pytest

from pfdo.domain.certificate import Certificate
from pfdo.domain.contract import Contract
from pfdo.domain.errors import Refused
from pfdo.domain.pricing import contract_schedule

JANUARY = date(2025, 1, 10)


def funded_certificate(number: str = "1000000001", nominal: int = 1200000) -> Certificate:
    """A child of nine in Tver, funded with a base nominal for the year 2025."""
    certificate = Certificate.issue(number, "child-1", date(2015, 5, 1), "tver", JANUARY)
    certificate.fund("2025", "base", nominal, JANUARY, "rub")
    return certificate


def chess_contract(certificate: Certificate, available: int) -> Contract:
    """Chess at 1500.00 a month, 15 January to 10 April 2025 (price 4322.58)."""
    start, end = date(2025, 1, 15), date(2025, 4, 10)
    return Contract.enrol(
        certificate.next_contract_code(),
        certificate.number,
        "chess",
        "school-1",
        "2025",
        start,
        end,
        "fixed",
        150000,
        contract_schedule(150000, start, end, available),
        JANUARY,
    )


def enrolled() -> tuple[Certificate, Contract]:
    certificate = funded_certificate()
    contract = chess_contract(certificate, 1200000)
    certificate.reserve(contract, contract.share, JANUARY)
    return certificate, contract


def test_a_reservation_moves_the_share_from_available_to_reserved() -> None:
    certificate, contract = enrolled()
    assert contract.share == 432258
    pot = certificate.pot("2025")
    assert (pot["available"], pot["reserved"]) == (767742, 432258)
    assert certificate.next_contract_code() == "1000000001-002"


def test_a_reservation_of_more_than_is_available_is_refused() -> None:
    certificate = funded_certificate(nominal=300000)
    contract = chess_contract(certificate, 1200000)  # priced as if 12000.00 were available
    with pytest.raises(Refused, match=r"has only 3000\.00 available"):
        certificate.reserve(contract, contract.share, JANUARY)


def test_a_certificate_with_no_money_left_still_reserves_nothing_for_a_contract() -> None:
    certificate = funded_certificate(nominal=0)
    contract = chess_contract(certificate, 0)
    certificate.reserve(contract, contract.share, JANUARY)
    assert contract.share == 0
    assert len(certificate.collect_events()) == 3  # issued, funded, reserved 0.00


def test_money_cannot_be_moved_for_a_contract_of_another_certificate() -> None:
    _, contract = enrolled()
    other = funded_certificate("1000000002")
    with pytest.raises(Refused, match="paid from certificate 1000000001"):
        other.charge(contract, "2025-01", 82258, JANUARY)


def test_a_charge_is_spent_out_of_the_reservation() -> None:
    certificate, contract = enrolled()
    certificate.charge(contract, "2025-01", 82258, date(2025, 2, 1))
    pot = certificate.pot("2025")
    assert (pot["reserved"], pot["spent"]) == (350000, 82258)


def test_a_charge_above_what_is_reserved_is_refused() -> None:
    certificate, contract = enrolled()
    with pytest.raises(Refused, match=r"cannot charge 4322\.59 .* only 4322\.58 reserved"):
        certificate.charge(contract, "2025-01", 432259, date(2025, 2, 1))


def test_a_negative_release_is_refused() -> None:
    certificate, contract = enrolled()
    with pytest.raises(Refused, match=r"cannot release a negative amount \(-0\.01\)"):
        certificate.release(contract, "2025-02", -1, date(2025, 2, 1))


def test_a_charge_or_release_of_nothing_records_nothing() -> None:
    certificate, contract = enrolled()
    certificate.collect_events()
    certificate.charge(contract, "2025-01", 0, date(2025, 2, 1))
    certificate.release(contract, "2025-01", 0, date(2025, 2, 1))
    assert certificate.collect_events() == []


def test_a_refund_gives_spent_money_back_to_available() -> None:
    certificate, contract = enrolled()
    certificate.charge(contract, "2025-01", 82258, date(2025, 2, 1))
    certificate.refund(contract, "2025-01", 10000, "two lessons cancelled", date(2025, 2, 5))
    pot = certificate.pot("2025")
    assert (pot["available"], pot["spent"]) == (777742, 72258)


def test_a_refund_above_what_was_spent_is_refused() -> None:
    certificate, contract = enrolled()
    certificate.charge(contract, "2025-01", 82258, date(2025, 2, 1))
    with pytest.raises(Refused, match=r"cannot refund 822\.59 .* only 822\.58 spent"):
        certificate.refund(contract, "2025-01", 82259, "overcharged", date(2025, 2, 5))


def test_a_refund_of_nothing_is_refused() -> None:
    certificate, contract = enrolled()
    with pytest.raises(Refused, match="a refund must be above zero"):
        certificate.refund(contract, "2025-01", 0, "nothing", date(2025, 2, 5))


def test_money_of_a_period_the_certificate_is_not_funded_for_cannot_move() -> None:
    certificate = Certificate.issue("1000000001", "child-1", date(2015, 5, 1), "tver", JANUARY)
    contract = chess_contract(funded_certificate(), 1200000)
    with pytest.raises(Refused, match="is not funded for period 2025"):
        certificate.reserve(contract, 0, JANUARY)


def test_lowering_the_nominal_by_more_than_is_available_is_refused() -> None:
    certificate, _ = enrolled()
    with pytest.raises(Refused, match=r"has 7677\.42 available .* lowered by 7677\.43"):
        certificate.change_nominal("2025", -767743, JANUARY)


def test_raising_the_nominal_credits_the_difference() -> None:
    certificate = funded_certificate()
    certificate.change_nominal("2025", 50050, JANUARY)
    pot = certificate.pot("2025")
    assert (pot["credited"], pot["available"]) == (1250050, 1250050)


def test_at_close_the_available_money_expires_and_nothing_else() -> None:
    certificate, _ = enrolled()
    assert certificate.expire("2025", date(2025, 12, 31)) == 767742
    pot = certificate.pot("2025")
    assert (pot["available"], pot["reserved"], pot["expired"]) == (0, 432258, 767742)
