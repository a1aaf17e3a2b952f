"""Decisions on certificates: issue one to a child (rule 1), a new one to a child whose
certificate was annulled (rule 24); funding one, unfunding it and the waiting lists are
`pfdo.application.decisions.funding`'s, moving and annulling one
`pfdo.application.decisions.moves`'.

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
from pfdo.domain.certificate import ANNULLED, Certificate, ChildRegistration
from pfdo.domain.errors import AlreadyExists, Refused

if TYPE_CHECKING:
    from pfdo.application.execution import Decision
    from pfdo.application.reading import Reader


def issue_certificate(w: Reader, c: cmd.IssueCertificate) -> Decision[res.CertificateIssued]:
    registration_id = w.ids.child_registration(c.child)
    number = c.number or w.ids.certificate_number(c.child, 0)
    certificate_id = Certificate.id_for(number)
    # the child's registration and the number's certificate, read in one batch
    found = w.find_ids(Aggregate, [registration_id, certificate_id])
    existing = found[registration_id]
    annulled = None
    if existing is not None:
        assert isinstance(existing, ChildRegistration)
        annulled = w.find(Certificate, existing.number)
        if annulled is None or annulled.status != ANNULLED:
            raise AlreadyExists(
                f"child {c.child} already has certificate {existing.number}",
                certificate=existing.number,
            )
    if found[certificate_id] is not None:
        if c.number is not None:
            raise AlreadyExists(
                f"certificate number {c.number} is already taken", certificate=c.number
            )
        number = _free_number(w, c.child, first=1)
    certificate = Certificate.issue(number, c.child, c.birth_date, c.municipality, c.on)
    if existing is not None and annulled is not None:
        # rule 24: the child's certificate was annulled; numbers are never reused
        existing.reissue(annulled, number, c.on)
        return _issued(certificate, c.municipality), [certificate, existing]
    registration = ChildRegistration.register(registration_id, c.child, number, c.on)
    return _issued(certificate, c.municipality), [certificate, registration]


def _issued(certificate: Certificate, municipality: str) -> res.CertificateIssued:
    return res.CertificateIssued(
        number=certificate.number, municipality=municipality, type=certificate.kind
    )


def _free_number(w: Reader, child: str, first: int) -> str:
    """A 10-digit number derived from the child id (keyed: `pfdo.storage.pseudonyms`), probing on
    the rare collision (from attempt `first`: the ones before are taken)."""
    for attempt in range(first, 1000):
        number = w.ids.certificate_number(child, attempt)
        if not w.exists(Certificate, number):
            return number
    raise Refused(f"no free certificate number found for child {child}")
