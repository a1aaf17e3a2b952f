"""Decisions on moving a certificate to another municipality and annulling one issued
in error (rule 24).

A move reads the periods the certificate is funded for (refused while one of its
municipality is not closed) and every period of its old municipality, leaving the
waiting lists it is on there; an annulment leaves them too. Both write the certificate,
so that a funding or an enrolment decided on it meanwhile conflicts and is decided again.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from pfdo.application import commands as cmd
from pfdo.application import results as res
from pfdo.domain.certificate import ANNULLED, Certificate
from pfdo.domain.period import Municipality, Period

if TYPE_CHECKING:
    from pfdo.application.execution import Decision
    from pfdo.application.reading import Reader


def move_certificate(w: Reader, c: cmd.MoveCertificate) -> Decision[res.CertificateMoved]:
    certificate = w.get(Certificate, c.number, "certificate")
    certificate.check_active()
    previous = certificate.municipality
    funded = w.find_ids(Period, [Period.id_for(p) for p in sorted(certificate.pots)])
    open_funded = [
        p.code
        for p in funded.values()
        if p is not None and p.municipality == previous and not p.closed
    ]
    certificate.move(c.to, c.on, open_funded)
    left = _leave_lists(w, certificate.number, previous, c.on)
    result = res.CertificateMoved(
        number=c.number,
        municipality=c.to,
        previous=previous,
        left_queues=[p.code for p in left],
    )
    return result, [certificate, *left]


def annul_certificate(w: Reader, c: cmd.AnnulCertificate) -> Decision[res.CertificateAnnulled]:
    certificate = w.get(Certificate, c.number, "certificate")
    certificate.annul(c.reason, c.on)
    left = _leave_lists(w, certificate.number, certificate.municipality, c.on)
    result = res.CertificateAnnulled(
        number=c.number, status=ANNULLED, reason=c.reason, left_queues=[p.code for p in left]
    )
    return result, [certificate, *left]


def _leave_lists(w: Reader, number: str, municipality: str, on: date) -> list[Period]:
    """Take `number` off every waiting list it is on in the open periods of
    `municipality`; return those periods."""
    calendar = w.find(Municipality, municipality)
    if calendar is None:
        return []
    found = w.find_ids(Period, [Period.id_for(p) for p in sorted(calendar.periods)])
    left = [
        p
        for p in found.values()
        if p is not None and not p.closed and p.place_of(number) is not None
    ]
    for period in left:
        period.leave_queue(number, on)
    return left
