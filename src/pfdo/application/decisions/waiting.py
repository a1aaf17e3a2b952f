"""Serving a category's waiting list whenever room appears (rule 19).

Room appears when a limit is raised, a certificate is unfunded or a nominal is lowered.
The command that made room serves the list in the same save: from the head, in order, as
of that command's date, each certificate that now fits is funded, and serving stops at
the first one that does not (no skipping). In a category with limits the shards have
been collected first (`pfdo.application.decisions.rooms`), so the period holds all the room. The
period and the funded certificates change together, so the list cannot be served twice
or out of order: any other writer of the period conflicts with the save and is decided
again.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from pfdo.domain.certificate import Certificate
from pfdo.domain.errors import Refused
from pfdo.domain.period import Period
from pfdo.domain.units import unit_of

if TYPE_CHECKING:
    from pfdo.application.execution import Executor


def serve(w: Executor, period: Period, category: str, on: date) -> list[Certificate]:
    """Fund the head of `category`'s list while it fits; return the certificates funded."""
    funded: list[Certificate] = []
    for number in period.iter_fitting(category):
        certificate = w.get(Certificate, number, "certificate")
        try:
            fund(certificate, period, category, on)
        except Refused:
            # it can no longer be funded for a reason of its own (never the limits,
            # which were just checked): it leaves the list rather than block it
            period.leave_queue(number, on)
            continue
        funded.append(certificate)
    return funded


def serve_all(w: Executor, period: Period, on: date) -> list[Certificate]:
    """Serve every category's list of the period."""
    return [c for name in sorted(period.categories) for c in serve(w, period, name, on)]


def fund(certificate: Certificate, period: Period, category: str, on: date) -> int:
    """Rule 3 on both aggregates: credit the nominal, count it in the category."""
    certificate.check_fundable(period.code, period.municipality, period.start)
    period.record_funding(certificate.number, category, on)
    return credit(certificate, period, category, on)


def credit(certificate: Certificate, period: Period, category: str, on: date) -> int:
    """Credit the category's nominal, in its unit, to the certificate; return it."""
    state = period.category(category)
    nominal: int = state["nominal"]
    certificate.fund(
        period.code, period.municipality, period.start, category, nominal, on, unit_of(state)
    )
    return nominal
