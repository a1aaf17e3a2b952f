"""The public API of rule 24: moving a certificate to another municipality and annulling
one issued in error.

A mixin of `pfdo.Ledger`: each method validates its command (`pfdo.application.commands`)
and hands it to the executor with its decision (`pfdo.application.decisions.moves`), as
every writing command of the ledger does."""

from __future__ import annotations

from datetime import date

from pfdo.application import commands as cmd
from pfdo.application import results as res
from pfdo.application.decisions import moves
from pfdo.application.execution import Executor
from pfdo.application.failures import translated
from pfdo.storage.store import StoreURL


class CertificateMoves:
    """Commands of rule 24 (docs/RULES.md), mixed into `Ledger`: call them on a `Ledger`.
    Their business date `on` and `request_id` are as for every writing command of the
    `Ledger`.
    """

    store: StoreURL
    _x: Executor

    @translated
    def move_certificate(
        self,
        number: str,
        *,
        to: str,
        on: date | str | None = None,
        request_id: str | None = None,
        actor: str | None = None,
    ) -> res.CertificateMoved:
        """Make municipality `to` the certificate's from the business date on, so that only
        its periods may fund it (rule 24); the certificate leaves the waiting lists of its
        old municipality, its history and closed periods stay as they were.

        Raises:
            InvalidInput: an argument is malformed (a certificate number or code out of
            form, a business date `on` more than 366 days after today, a `request_id`
            out of form; a value of the wrong type; None where a value is required);
            raised before anything is read or written, naming the fields (`.fields`).
            NotFound: the certificate does not exist.
            CertificateAnnulled: the certificate is annulled.
            Refused: the certificate belongs to `to` already, or is funded for a period
            of its municipality that is not closed (unfund it first, or let the period
            close).
            IdempotencyConflict: `request_id` was used before with other arguments (the
            same arguments return the first result again and write nothing).
            ConcurrencyConflict: other writers kept changing the same records and the
            retries ran out; nothing was written, the call may be repeated.
            StoreUnavailable: the store is busy, unreachable or failing, or was opened
            read-only.
        """
        command = cmd.MoveCertificate.build(number=number, to=to, on=on, actor=actor)
        return self._x.execute(command, request_id, res.CertificateMoved, moves.move_certificate)

    @translated
    def annul_certificate(
        self,
        number: str,
        *,
        reason: str,
        on: date | str | None = None,
        request_id: str | None = None,
        actor: str | None = None,
    ) -> res.CertificateAnnulled:
        """Annul a certificate issued in error (rule 24): it accepts no more commands, and
        its child may be issued a new certificate, with a new number (an annulled number
        is never issued again). It leaves every waiting list it is on.

        Raises:
            InvalidInput: an argument is malformed (a certificate number out of form, an
            empty `reason`, a business date `on` more than 366 days after today, a
            `request_id` out of form; a value of the wrong type; None where a value is
            required); raised before anything is read or written, naming the fields.
            NotFound: the certificate does not exist.
            CertificateAnnulled: the certificate is annulled already.
            Refused: the certificate has had a contract, or holds money in a period (every
            funding must be unfunded first).
            IdempotencyConflict: `request_id` was used before with other arguments (the
            same arguments return the first result again and write nothing).
            ConcurrencyConflict: other writers kept changing the same records and the
            retries ran out; nothing was written, the call may be repeated.
            StoreUnavailable: the store is busy, unreachable or failing, or was opened
            read-only.
        """
        command = cmd.AnnulCertificate.build(number=number, reason=reason, on=on, actor=actor)
        return self._x.execute(
            command, request_id, res.CertificateAnnulled, moves.annul_certificate
        )
