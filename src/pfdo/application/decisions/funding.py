"""Decisions on funding, limits and the waiting lists (rules 3, 19, 20): fund a
certificate for a period's category or queue it, unfund it, take it off a list, change a
category's limits.

Each loads the period and the certificate, lets `pfdo.domain.funding` decide (which reads
whatever else it counts in through the reader it is given) and returns the result with
every aggregate changed. How a category counts its fundings is the domain module's
affair alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pfdo.application import commands as cmd
from pfdo.application import results as res
from pfdo.domain import funding
from pfdo.domain.certificate import Certificate
from pfdo.domain.contract import Contract
from pfdo.domain.period import Period
from pfdo.domain.units import unit_of

if TYPE_CHECKING:
    from pfdo.application.execution import Decision
    from pfdo.application.reading import Reader


def fund_certificate(w: Reader, c: cmd.FundCertificate) -> Decision[res.Funding]:
    """Fund a certificate; with `queue`, one refused only by a limit joins the category's
    waiting list instead (rule 19)."""
    certificate = w.get(Certificate, c.number, "certificate")
    period = w.get(Period, c.period, "period")
    changed, position = funding.fund(w, certificate, period, c.category, c.on, queue=c.queue)
    if position is not None:
        queued = res.CertificateQueued(
            number=c.number, period=c.period, category=c.category, position=position
        )
        return res.Funding(queued), changed
    state = period.category(c.category)
    result = res.CertificateFunded(
        number=c.number,
        period=c.period,
        category=c.category,
        nominal=state["nominal"],
        unit=unit_of(state),
    )
    return res.Funding(result), changed


def unfund_certificate(w: Reader, c: cmd.UnfundCertificate) -> Decision[res.Unfunded]:
    """Rule 20: take a period's credit back; its place in the limits serves the list."""
    certificate = w.get(Certificate, c.number, "certificate")
    period = w.get(Period, c.period, "period")
    period.check_open()
    running = [
        code
        for code in certificate.contract_codes()
        if (contract := w.get(Contract, code, "contract")).period == period.code
        and any(m["status"] == "open" for m in contract.months.values())
    ]
    pot, served, changed = funding.unfund(w, certificate, period, c.on, running)
    result = res.Unfunded(
        number=c.number,
        period=c.period,
        category=pot["category"],
        unfunded=pot["credited"],
        funded_from_queue=[s.number for s in served],
        unit=unit_of(pot),
    )
    return result, changed


def leave_queue(w: Reader, c: cmd.LeaveQueue) -> Decision[res.QueueLeft]:
    certificate = w.find(Certificate, c.number)
    if certificate is not None:
        certificate.check_active()  # rule 24
    period = w.get(Period, c.period, "period")
    category = period.leave_queue(c.number, c.on)
    return res.QueueLeft(number=c.number, period=c.period, category=category), [period]


def change_limits(w: Reader, c: cmd.ChangeLimits) -> Decision[res.LimitsChanged]:
    period = w.get(Period, c.period, "period")
    category = period.category(c.category)
    count = category["count_limit"] if c.count is None else c.count
    total = category["sum_limit"] if c.sum is None else c.sum
    served, written = funding.change_limits(w, period, c.category, count, total, c.on)
    result = res.LimitsChanged(
        period=c.period,
        category=c.category,
        count=count,
        sum=total,
        funded_from_queue=[s.number for s in served],
        unit=unit_of(category),
    )
    return result, [period, *written, *served]
