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
    """A position of the log and the chain hash there."""

    position: int
    hash: str


class Verification(Result):
    ok: bool
    events: int
    problems: list[Problem]
    warnings: list[str]
    head: Head
    chained: int
    folded: int
    checkpoints: int


class CheckpointDocument(Result):
    format: str
    version: int
    position: int
    head: str
    time: str
    reason: str
    public_key: str | None
    signature: str | None


class KeyPair(Result):
    private_key: str
    public_key: str
    key_id: str


class Scope(Result):
    period: str | None = None
    certificate: str | None = None


class Exported(Result):
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
    """A period's pots summed, one line per unit its categories are in (rule 22)."""

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
    """A certificate's balance for one period, with the certificate's number."""

    number: str


class RegisterTotal(Result):
    provider: str
    month: str
    contracts: int
    certificate: Kopecks
    parent: Kopecks
    #: the hours of its lines in hours, beside the rubles they are paid (rule 21)
    hours: Kopecks = 0


class Replayed(Result):
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
    """One event that moved the certificate's money, and what it did to each column."""

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


class ColumnTrace(Result):
    """One balance column as the sum of the movements that make it."""

    column: str
    formula: str
    total: Kopecks
    balance: Kopecks


class ContractTrace(Result):
    contract: str
    program: str | None
    provider: str | None
    reserved: Kopecks
    charged: Kopecks
    released: Kopecks
    refunded: Kopecks
    still_reserved: Kopecks


class Explanation(Result):
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
