"""What the auditor's commands return: typed results whose JSON form is the CLI's JSON.

Amounts are `Kopecks` (ruble strings with two decimals in JSON), as everywhere in pfdo.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from pfdo.application.fields import Kopecks
from pfdo.application.results import Movement, PeriodBalance, Result
from pfdo.audit.problems import Problem
from pfdo.domain.units import Unit


class Head(Result):
    """A position of the log and the chain hash there.

    Attributes:
        position: the log position (0: the empty log).
        hash: the chain's hash after that event, hex.
    """

    position: int
    hash: str


class Verification(Result):
    """What `Auditor.verify` answers: the store checked against its own log.

    Attributes:
        ok: True when no problem was found.
        events: events read from the log.
        problems: what is wrong (at most 1,000 of each check are listed).
        warnings: what the check could not show (events after the chain's or the read
            models' position, unsigned checkpoints, ...).
        head: the chain's head as recomputed.
        chained: the log position the stored chain reaches.
        folded: the log position the read models reach.
        checkpoints: how many checkpoints were checked.
    """

    ok: bool
    events: int
    problems: list[Problem]
    warnings: list[str]
    head: Head
    chained: int
    folded: int
    checkpoints: int


class CheckpointDocument(Result):
    """A checkpoint as the CLI writes it (`pfdo audit checkpoint`): the signed body.

    Attributes:
        format: the document's format name.
        version: its version.
        position: the log position checkpointed.
        head: the chain's hash there, hex.
        time: when it was taken, ISO UTC.
        reason: why (`requested`, `period P closed`).
        public_key: the signer's Ed25519 public key, base64; None: unsigned.
        signature: the Ed25519 signature of the body, base64; None: unsigned.
    """

    format: str
    version: int
    position: int
    head: str
    time: str
    reason: str
    public_key: str | None
    signature: str | None


class KeyPair(Result):
    """A signing key pair written by the CLI (`pfdo audit keygen`).

    Attributes:
        private_key: the path of the PEM private key.
        public_key: the path of the PEM public key.
        key_id: the public key's short id.
    """

    private_key: str
    public_key: str
    key_id: str


class Scope(Result):
    """What part of the log an export holds: all of it, a period's or a certificate's.

    Attributes:
        period: the period's code; None: not limited to one.
        certificate: the certificate's number; None: not limited to one.
    """

    period: str | None = None
    certificate: str | None = None


class Exported(Result):
    """What `Auditor.export` answers: the JSON Lines file written.

    Attributes:
        file: its path.
        format: `pfdo-audit-export`.
        version: the format's version.
        events: how many events it holds.
        scope: the part of the log exported.
        personal_data: whether personal values (and their nonces) are in it.
        through: the chain's head the export reaches.
        warnings: what the recipient should know about this export.
    """

    file: str
    format: str
    version: int
    events: int
    scope: Scope
    personal_data: bool
    through: Head
    #: what the recipient should know about this export (a legacy store's guessable ids)
    warnings: list[str] = Field(default_factory=list)


class PeriodTotals(Result):
    """A period's pots summed, one line per unit its categories are in (rule 22).

    Attributes:
        period: the period's code.
        status: `open` or `closed`.
        certificates: certificates funded for it.
        credited: in `unit` (kopecks or hundredths of an hour), as the other amounts.
        available: not reserved, spent nor expired.
        reserved: held for months not billed.
        spent: charged less refunds.
        expired: lapsed at the close.
        unit: `rub` or `hours`.
    """

    period: str
    status: str
    certificates: int
    credited: Kopecks
    available: Kopecks
    reserved: Kopecks
    spent: Kopecks
    expired: Kopecks
    unit: Unit = "rub"


class BalanceLine(PeriodBalance):
    """A certificate's balance for one period (as
    `pfdo.application.results.PeriodBalance`), with the certificate's number.

    Attributes:
        number: the certificate's number.
    """

    number: str


class RegisterTotal(Result):
    """A provider's register for a month, summed (a replay's answer).

    Attributes:
        provider: the provider's code.
        month: `YYYY-MM`.
        contracts: how many contracts it has lines for.
        certificate: kopecks paid of the certificates.
        parent: kopecks the parents pay.
        hours: hundredths of an hour of its lines in hours (rule 21).
    """

    provider: str
    month: str
    contracts: int
    certificate: Kopecks
    parent: Kopecks
    #: the hours of its lines in hours, beside the rubles they are paid (rule 21)
    hours: Kopecks = 0


class Replayed(Result):
    """What a replay of an export answers (`pfdo.audit.replay`): the export checked and
    refolded without the database.

    Attributes:
        ok: True when no problem was found.
        events: events read.
        problems: what is wrong.
        warnings: what the replay could not show.
        scope: the part of the log the export holds.
        personal_data: whether it holds personal values.
        head: the last position and hash replayed.
        periods: each period's totals.
        balances: every certificate's balance per period.
        registers: every provider's registers, summed per month.
        history: a certificate's movements, when one was asked for; else None.
    """

    ok: bool
    events: int
    problems: list[Problem]
    warnings: list[str]
    scope: Scope
    personal_data: bool
    head: Head
    periods: list[PeriodTotals]
    balances: list[BalanceLine]
    registers: list[RegisterTotal]
    history: list[Movement] | None = None


class TracedMovement(Result):
    """One event that moved the certificate's money, and what it did to each column.

    Attributes:
        position: the event's log position.
        event: the event's name.
        on: its business date.
        kind: the movement's kind (as `pfdo.application.results.Movement`).
        amount: in the certificate's unit for the period.
        contract: the contract's id, if any.
        month: `YYYY-MM`, if any.
        available: what it changed `available` by (signed).
        reserved: what it changed `reserved` by.
        spent: what it changed `spent` by.
        expired: what it changed `expired` by.
        actor: who asked for the command that moved it (rule 25); None: written before
            actors were recorded.
    """

    position: int
    event: str
    on: date
    kind: str
    amount: Kopecks
    contract: str | None
    month: str | None
    available: Kopecks
    reserved: Kopecks
    spent: Kopecks
    expired: Kopecks
    actor: str | None = None


class ColumnTrace(Result):
    """One balance column as the sum of the movements that make it.

    Attributes:
        column: `available`, `reserved`, `spent`, `expired`, ...
        formula: the column as a sum of movement kinds (`reserved - charged - released`).
        total: the formula summed over the movements.
        balance: the column as the read models hold it (equal to `total` when all is
            well).
    """

    column: str
    formula: str
    total: Kopecks
    balance: Kopecks


class ContractTrace(Result):
    """A contract's part in a certificate's balance for a period.

    Attributes:
        contract: the contract's id.
        program: the program's code, if known.
        provider: the provider's code, if known.
        reserved: reserved for it.
        charged: charged.
        released: released.
        refunded: refunded.
        still_reserved: reserved less charged and released.
    """

    contract: str
    program: str | None
    provider: str | None
    reserved: Kopecks
    charged: Kopecks
    released: Kopecks
    refunded: Kopecks
    still_reserved: Kopecks


class Explanation(Result):
    """What `Auditor.explain` answers: every kopeck of a certificate's balance for a
    period traced to its events, in `unit` (kopecks or hundredths of an hour).

    Attributes:
        ok: True when the traces and the balance agree.
        number: the certificate's number.
        period: the period's code.
        category: the category it was funded in.
        unit: `rub` or `hours`.
        by_kind: the movements summed by kind.
        columns: each column traced.
        contracts: each contract's part.
        movements: the events, in log order.
        problems: where the traces and the balance disagree.
    """

    ok: bool
    number: str
    period: str
    category: str
    unit: Unit = "rub"
    by_kind: dict[str, Kopecks]
    columns: list[ColumnTrace]
    contracts: list[ContractTrace]
    movements: list[TracedMovement]
    problems: list[Problem]
