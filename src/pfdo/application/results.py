"""What the public API returns: typed results whose JSON form is the CLI's JSON.

Amounts are `Kopecks`: integers in Python, ruble strings with two decimals in JSON. An
amount of a category, pot, movement or contract is in its `unit` (rules 21, 22): kopecks
for `rub`, hundredths of an hour for `hours`, printed alike (`"21.42"`). What a provider
is paid (registers, invoices) is always rubles.
`model_dump(mode="json")` gives exactly the keys documented in docs/CLI.md.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, RootModel

from pfdo.application.fields import Kopecks
from pfdo.domain.units import Unit


class Result(BaseModel):
    model_config = ConfigDict(frozen=True)


class CategoryResult(Result):
    name: str
    nominal: Kopecks
    count_limit: int | None
    sum_limit: Kopecks | None
    unit: Unit = "rub"


class PeriodOpened(Result):
    period: str
    municipality: str
    start: date
    end: date
    categories: list[CategoryResult]


class PeriodClosed(Result):
    """`expired`: rubles of the ruble categories; `expired_hours`: hours of the others."""

    period: str
    expired: Kopecks
    expired_hours: Kopecks = 0
    certificates: int
    owed_by_providers: list[ProviderOwes] = []


class NominalChanged(Result):
    period: str
    category: str
    nominal: Kopecks
    delta: Kopecks
    certificates: int
    funded_from_queue: list[str] = []
    unit: Unit = "rub"


class PeriodSettings(Result):
    period: str
    advance: int
    final_billing_from: date | None


class LimitsChanged(Result):
    period: str
    category: str
    count: int | None
    sum: Kopecks | None
    funded_from_queue: list[str]
    unit: Unit = "rub"


class ProviderResult(Result):
    provider: str
    name: str
    kind: str
    status: str


class ProgramResult(Result):
    program: str
    provider: str
    monthly_price: Kopecks
    normative_price: Kopecks | None = None
    status: str
    hours_per_month: Kopecks | None = None
    hour_cost: Kopecks | None = None


class CertificateIssued(Result):
    number: str
    municipality: str
    type: str


class CertificateFunded(Result):
    number: str
    period: str
    category: str
    nominal: Kopecks
    unit: Unit = "rub"


class CertificateQueued(Result):
    """A funding refused only by a limit, put on the category's waiting list (rule 19)."""

    number: str
    period: str
    category: str
    queued: Literal[True] = True
    position: int


class Funding(RootModel[CertificateFunded | CertificateQueued]):
    """What `certificate fund` did: funded, or queued when asked to and a limit refused."""

    model_config = ConfigDict(frozen=True)


class Unfunded(Result):
    number: str
    period: str
    category: str
    unfunded: Kopecks
    funded_from_queue: list[str]
    unit: Unit = "rub"


class QueueLeft(Result):
    number: str
    period: str
    category: str


class QueueEntry(Result):
    position: int
    number: str
    since: date


class QueueView(Result):
    period: str
    category: str
    entries: list[QueueEntry]


class MonthLine(Result):
    month: str
    price: Kopecks
    certificate: Kopecks
    parent: Kopecks


class Enrolment(Result):
    contract: str
    number: str
    program: str
    provider: str
    mode: str
    start: date
    end: date
    price: Kopecks
    certificate_share: Kopecks
    parent_share: Kopecks
    months: list[MonthLine]
    normative: Kopecks | None = None
    unit: Unit = "rub"
    #: rule 21: the rubles a person-hour is paid at (hours contracts only)
    hour_cost: Kopecks | None = None


class AttendanceRecorded(Result):
    contract: str
    recorded: int


class BillingRun(Result):
    """`charged`, `released`: rubles of ruble contracts; `*_hours`: hours of the others."""

    month: str
    billed: int
    charged: Kopecks
    released: Kopecks
    parent: Kopecks
    attendance_missing: list[str]
    charged_hours: Kopecks = 0
    released_hours: Kopecks = 0


class Termination(Result):
    contract: str
    released: Kopecks
    cancelled_months: list[str]
    unit: Unit = "rub"


class Correction(Result):
    contract: str
    month: str
    refunded: Kopecks
    unit: Unit = "rub"


class PeriodBalance(Result):
    period: str
    category: str
    nominal: Kopecks
    credited: Kopecks
    available: Kopecks
    reserved: Kopecks
    spent: Kopecks
    expired: Kopecks
    unit: Unit = "rub"


class Balance(Result):
    number: str
    type: str
    periods: list[PeriodBalance]


class Movement(Result):
    on: date
    kind: str
    amount: Kopecks
    period: str
    contract: str | None
    program: str | None
    provider: str | None
    month: str | None
    unit: Unit = "rub"


class History(Result):
    number: str
    movements: list[Movement]


class RegisterLine(Result):
    """`certificate`: the rubles the provider is paid of it; for a contract in hours,
    `hours` charged less refunded beside them (rule 21)."""

    contract: str
    number: str
    program: str
    certificate: Kopecks
    parent: Kopecks
    present: int
    recorded: int
    unit: Unit = "rub"
    hours: Kopecks | None = None


class Register(Result):
    provider: str
    month: str
    total_certificate: Kopecks
    total_parent: Kopecks
    lines: list[RegisterLine]
    total_hours: Kopecks = 0


class Rebuilt(Result):
    events: int
    seconds: float


class Followed(Result):
    folded: int


class RowError(Result):
    """A wrong cell of an imported file: its line (the header is line 1) and column."""

    line: int
    column: str
    reason: str


class SheetImported(Result):
    """A sheet imported: `rows` read, `written` now, `skipped` not written (already
    written by the same import before, or wrong: see `errors`)."""

    file: str
    rows: int
    written: int
    skipped: int
    errors: list[RowError]


class AttendanceImported(Result):
    """An attendance journal recorded: `rows` marks read, `written` of them recorded now,
    `skipped` already recorded by the same import (a retry), `errors` none."""

    file: str
    rows: int
    written: int
    skipped: int
    errors: list[RowError]
    recorded: int
    contracts: int


# -- lists and cards (issue 13) -----------------------------------------------------------


class ProviderList(Result):
    providers: list[ProviderResult]


class ProgramLine(Result):
    program: str
    provider: str
    title: str
    monthly_price: Kopecks
    min_age: int
    max_age: int
    capacity: int | None
    status: str
    normative_price: Kopecks | None = None
    hours_per_month: Kopecks | None = None
    hour_cost: Kopecks | None = None


class ProgramList(Result):
    programs: list[ProgramLine]


class PeriodLine(Result):
    period: str
    municipality: str
    start: date
    end: date
    status: str
    categories: list[CategoryResult]


class PeriodList(Result):
    periods: list[PeriodLine]


class ContractLine(Result):
    contract: str
    number: str
    program: str
    provider: str
    period: str
    start: date
    end: date
    mode: str
    status: str
    price: Kopecks
    share: Kopecks
    terminated_on: date | None
    unit: Unit = "rub"


class ContractList(Result):
    contracts: list[ContractLine]


class QueueLine(Result):
    """A certificate's place in a category's waiting list (rule 19)."""

    period: str
    category: str
    position: int
    since: date | None = None


class CertificateCard(Result):
    number: str
    municipality: str
    type: str
    periods: list[PeriodBalance]
    contracts: list[ContractLine]
    queues: list[QueueLine]


class ContractMonth(Result):
    month: str
    price: Kopecks
    certificate: Kopecks
    parent: Kopecks
    status: str
    charged: Kopecks
    released: Kopecks
    refunded: Kopecks
    #: lessons attended and recorded, as billing counted them: None until billed
    present: int | None
    recorded: int | None


class ContractCard(ContractLine):
    months: list[ContractMonth]


# -- settlement (rules 16, 17) ------------------------------------------------------------


class InvoiceLine(Result):
    contract: str
    number: str
    amount: Kopecks


class AdvanceIssued(Result):
    invoice: str
    provider: str
    month: str
    total: Kopecks
    lines: list[InvoiceLine]


class InvoiceIssued(Result):
    invoice: str
    provider: str
    month: str
    amount: Kopecks
    advance: Kopecks
    adjustments: Kopecks
    due: Kopecks
    as_of: int
    lines: list[InvoiceLine]


class InvoicePaid(Result):
    invoice: str
    kind: str
    paid_on: date
    amount: Kopecks


class InvoiceSummary(Result):
    invoice: str
    kind: str
    provider: str
    month: str
    amount: Kopecks
    advance: Kopecks
    adjustments: Kopecks
    due: Kopecks
    issued_on: date
    paid_on: date | None


class InvoiceList(Result):
    invoices: list[InvoiceSummary]
    total_due: Kopecks


class ProviderOwes(Result):
    """Adjustments a provider still owes back at a period's close (rule 17)."""

    provider: str
    amount: Kopecks
