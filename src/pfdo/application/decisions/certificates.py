"""Decisions on certificates: issue one to a child, fund it for a period or queue it,
unfund it, take it off a waiting list (rules 1, 3, 19, 20).

A certificate's number is derived from the child's id unless one is given, probing the
next derivation on the rare collision, so a retry of an issue finds the same number. Both
that number and the id of the child's registration are keyed under a secret of the store
(`pfdo.storage.pseudonyms`): an export does not let anyone confirm a guessed child id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from eventsourcing.domain import Aggregate

from pfdo.application import commands as cmd
from pfdo.application import results as res
from pfdo.application.decisions import rooms, tallies
from pfdo.domain.certificate import Certificate, ChildRegistration
from pfdo.domain.contract import Contract
from pfdo.domain.errors import AlreadyExists, LimitExceeded, Refused
from pfdo.domain.period import Period
from pfdo.domain.units import unit_of

if TYPE_CHECKING:
    from pfdo.application.execution import Decision, Executor


def issue_certificate(w: Executor, c: cmd.IssueCertificate) -> Decision[res.CertificateIssued]:
    registration_id = w.ids.child_registration(c.child)
    number = c.number or w.ids.certificate_number(c.child, 0)
    certificate_id = Certificate.id_for(number)
    # the child's registration and the number's certificate, read in one batch
    found = w.find_ids(Aggregate, [registration_id, certificate_id])
    existing = found[registration_id]
    if existing is not None:
        assert isinstance(existing, ChildRegistration)
        raise AlreadyExists(f"child {c.child} already has certificate {existing.number}")
    if found[certificate_id] is not None:
        if c.number is not None:
            raise AlreadyExists(f"certificate number {c.number} is already taken")
        number = _free_number(w, c.child, first=1)
    certificate = Certificate.issue(number, c.child, c.birth_date, c.municipality, c.on)
    registration = ChildRegistration.register(registration_id, c.child, number, c.on)
    result = res.CertificateIssued(
        number=number, municipality=c.municipality, type=certificate.kind
    )
    return result, [certificate, registration]


def _free_number(w: Executor, child: str, first: int) -> str:
    """A 10-digit number derived from the child id (keyed: `pfdo.storage.pseudonyms`), probing on
    the rare collision (from attempt `first`: the ones before are taken)."""
    for attempt in range(first, 1000):
        number = w.ids.certificate_number(child, attempt)
        if not w.exists(Certificate, number):
            return number
    raise Refused(f"no free certificate number found for child {child}")


def fund_certificate(w: Executor, c: cmd.FundCertificate) -> Decision[res.Funding]:
    """Fund a certificate; with `queue`, one refused only by a limit joins the category's
    waiting list instead (rule 19)."""
    certificate = w.get(Certificate, c.number, "certificate")
    period = w.get(Period, c.period, "period")
    period.check_open()
    state = period.category(c.category)
    nominal = state["nominal"]
    certificate.check_fundable(period.code, period.municipality, period.start)
    if period.limited(c.category):
        changed, refusal = rooms.fund(w, certificate, period, c.category, c.on, c.queue)
        if refusal is not None and not c.queue:
            raise LimitExceeded(refusal)
        if refusal is not None:
            position = period.enqueue(c.number, c.category, c.on)
            queued = res.CertificateQueued(
                number=c.number, period=c.period, category=c.category, position=position
            )
            return res.Funding(queued), [period, *(a for a in changed if a is not period)]
    else:
        changed = tallies.fund_without_limits(w, certificate, period, c.category, c.on)
    result = res.CertificateFunded(
        number=c.number,
        period=c.period,
        category=c.category,
        nominal=nominal,
        unit=unit_of(state),
    )
    return res.Funding(result), changed


def unfund_certificate(w: Executor, c: cmd.UnfundCertificate) -> Decision[res.Unfunded]:
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
    pot = certificate.unfund(period.code, c.on, running)
    period.record_unfunding(c.number, pot["category"], pot["credited"], c.on)
    served, shards = rooms.make_room(w, period, pot["category"], c.number, c.on)
    result = res.Unfunded(
        number=c.number,
        period=c.period,
        category=pot["category"],
        unfunded=pot["credited"],
        funded_from_queue=[s.number for s in served],
        unit=unit_of(pot),
    )
    return result, [certificate, period, *shards, *served]


def leave_queue(w: Executor, c: cmd.LeaveQueue) -> Decision[res.QueueLeft]:
    period = w.get(Period, c.period, "period")
    category = period.leave_queue(c.number, c.on)
    return res.QueueLeft(number=c.number, period=c.period, category=category), [period]
