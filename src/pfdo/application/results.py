"""What the public API returns: typed results whose JSON form is the CLI's JSON.

Amounts are `Kopecks`: integers in Python, ruble strings with two decimals in JSON. An
amount of a category, pot, movement or contract is in its `unit` (rules 21, 22): kopecks
for `rub`, hundredths of an hour for `hours`, printed alike (`"21.42"`). What a provider
is paid (registers, invoices) is always rubles.
`model_dump(mode="json")` gives exactly the keys the CLI prints with `--json`. Dates are
`datetime.date` (ISO text in JSON); months are `YYYY-MM` text.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    RootModel,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from pfdo.application.fields import Kopecks
from pfdo.domain.units import Unit


class Result(BaseModel):
    """The base of every result: a frozen pydantic model. `model_dump(mode="json")`
    gives the CLI's JSON (amounts as ruble strings with two decimals, dates ISO).
    """

    model_config = ConfigDict(frozen=True)


class Answer(Result):
    """The result of a writing command. `replayed` is set when the command was given a
    request id: False on its first execution, True when the first result is returned
    again and nothing is written. Without a request id it is None and absent from the
    JSON form (the CLI prints the key only with `--request-id`)."""

    replayed: bool | None = None

    @model_serializer(mode="wrap")
    def _replayed_when_known(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict) and data.get("replayed", False) is None:
            del data["replayed"]
        return data


class CategoryResult(Result):
    """A category of a period as opened or listed (rule 2).

    Attributes:
        name: the category's code.
        nominal: what funding credits a certificate, in `unit`: kopecks for `rub`,
            hundredths of an hour for `hours`.
        count_limit: how many certificates may be funded in it; None: no limit.
        sum_limit: how much may be credited in it in all, in `unit`; None: no limit.
        unit: `rub` (amounts in kopecks) or `hours` (in hundredths of an hour), rule 21.
    """

    name: str
    nominal: Kopecks
    count_limit: int | None
    sum_limit: Kopecks | None
    unit: Unit = "rub"


class PeriodOpened(Answer):
    """What `Ledger.open_period` answers: the period as opened.

    Attributes:
        period: the period's code.
        municipality: its municipality's code.
        start: its first day.
        end: its last day.
        categories: its categories.
    """

    period: str
    municipality: str
    start: date
    end: date
    categories: list[CategoryResult]


class PeriodClosed(Answer):
    """What `Ledger.close_period` answers: the money that expired (rule 12).

    Attributes:
        period: the period's code.
        expired: kopecks that expired, of the ruble categories.
        expired_hours: hundredths of an hour that expired, of the categories in hours.
        certificates: how many certificates funded for the period were closed.
        owed_by_providers: adjustments providers still owe back (rule 17).
    """

    period: str
    expired: Kopecks
    expired_hours: Kopecks = 0
    certificates: int
    owed_by_providers: list[ProviderOwes] = []


class NominalChanged(Answer):
    """What `Ledger.change_nominal` answers (rule 13).

    Attributes:
        period: the period's code.
        category: the category's code.
        nominal: the new nominal, in `unit`: kopecks for `rub`, hundredths of an hour for
            `hours`.
        delta: new nominal less the old one (negative when lowered), in `unit`.
        certificates: how many funded certificates were changed.
        funded_from_queue: numbers of the certificates funded from the waiting list.
        unit: `rub` (amounts in kopecks) or `hours` (in hundredths of an hour), rule 21.
    """

    period: str
    category: str
    nominal: Kopecks
    delta: Kopecks
    certificates: int
    funded_from_queue: list[str] = []
    unit: Unit = "rub"


class PeriodSettings(Answer):
    """What `RegionalPractice.period_settings` answers: the settings now.

    Attributes:
        period: the period's code.
        advance: the advance rate, whole per cent 0-100 (rule 16).
        final_billing_from: the day from which the last month may be billed (rule 18);
            None: from the next month's first day, as every month.
    """

    period: str
    advance: int
    final_billing_from: date | None


class LimitsChanged(Answer):
    """What `RegionalPractice.change_limits` answers: the limits now (rule 19).

    Attributes:
        period: the period's code.
        category: the category's code.
        count: the count limit; None: none.
        sum: the sum limit, in `unit`; None: none.
        funded_from_queue: numbers of the certificates funded from the waiting list.
        unit: `rub` (amounts in kopecks) or `hours` (in hundredths of an hour), rule 21.
    """

    period: str
    category: str
    count: int | None
    sum: Kopecks | None
    funded_from_queue: list[str]
    unit: Unit = "rub"


class ProviderResult(Answer):
    """A provider of the registry, as admitted, excluded or listed (rule 4).

    Attributes:
        provider: the provider's code.
        name: its name.
        kind: `municipal`, `private` or `sole-trader`.
        status: `admitted` or `excluded`.
    """

    provider: str
    name: str
    kind: str
    status: str


class ProgramResult(Answer):
    """A program as added or withdrawn (rule 4).

    Attributes:
        program: the program's code.
        provider: its provider's code.
        monthly_price: kopecks a month.
        normative_price: the normative monthly cost capping the certificate's share,
            kopecks (rule 15); None: none.
        status: `open` or `withdrawn`.
        hours_per_month: person-hours a month, in hundredths (rule 21); None: no hours.
        hour_cost: kopecks a person-hour (rule 21); None: no hours.
    """

    program: str
    provider: str
    monthly_price: Kopecks
    normative_price: Kopecks | None = None
    status: str
    hours_per_month: Kopecks | None = None
    hour_cost: Kopecks | None = None


class CertificateIssued(Answer):
    """What `Ledger.issue_certificate` answers (rule 1).

    Attributes:
        number: the certificate's 10-digit number.
        municipality: its municipality's code.
        type: `accounting` (not funded yet) or `financing` (funded for a period).
    """

    number: str
    municipality: str
    type: str


class CertificateMoved(Answer):
    """What `Ledger.move_certificate` answers (rule 24).

    Attributes:
        number: the certificate's number.
        municipality: its municipality from the command's date on.
        previous: the municipality it belonged to before.
        left_queues: the periods of `previous` whose waiting lists it left.
    """

    number: str
    municipality: str
    previous: str
    left_queues: list[str]


class CertificateAnnulled(Answer):
    """What `Ledger.annul_certificate` answers (rule 24).

    Attributes:
        number: the certificate's number (never issued again).
        status: `annulled`.
        reason: why it was annulled.
        left_queues: the periods whose waiting lists it left.
    """

    number: str
    status: str
    reason: str
    left_queues: list[str]


class CertificateFunded(Answer):
    """A funding done: the period's nominal credited to the certificate (rule 3).

    Attributes:
        number: the certificate's number.
        period: the period's code.
        category: the category's code.
        nominal: what was credited, in `unit`: kopecks for `rub`, hundredths of an hour
            for `hours`.
        unit: `rub` (amounts in kopecks) or `hours` (in hundredths of an hour), rule 21.
    """

    number: str
    period: str
    category: str
    nominal: Kopecks
    unit: Unit = "rub"


class CertificateQueued(Answer):
    """A funding refused only by a limit, put on the category's waiting list (rule 19).

    Attributes:
        number: the certificate's number.
        period: the period's code.
        category: the category's code.
        queued: always True.
        position: its place in the list, 1 at the head.
    """

    number: str
    period: str
    category: str
    queued: Literal[True] = True
    position: int


class Funding(RootModel[CertificateFunded | CertificateQueued]):
    """What `certificate fund` did: funded, or queued when asked to and a limit refused.
    `Ledger.fund_certificate` returns its `root`: a `CertificateFunded` or a
    `CertificateQueued`.
    """

    model_config = ConfigDict(frozen=True)


class Unfunded(Answer):
    """What `RegionalPractice.unfund_certificate` answers (rule 20).

    Attributes:
        number: the certificate's number.
        period: the period's code.
        category: the category it was funded in.
        unfunded: the credit taken back, in `unit`: kopecks for `rub`, hundredths of an
            hour for `hours`.
        funded_from_queue: numbers of the certificates funded from the waiting list.
        unit: `rub` (amounts in kopecks) or `hours` (in hundredths of an hour), rule 21.
    """

    number: str
    period: str
    category: str
    unfunded: Kopecks
    funded_from_queue: list[str]
    unit: Unit = "rub"


class QueueLeft(Answer):
    """What `RegionalPractice.leave_queue` answers (rule 19).

    Attributes:
        number: the certificate's number.
        period: the period's code.
        category: the category whose list it left.
    """

    number: str
    period: str
    category: str


class QueueEntry(Result):
    """A place in a waiting list (rule 19).

    Attributes:
        position: 1 at the head.
        number: the certificate's number.
        since: the business date it joined the list.
    """

    position: int
    number: str
    since: date


class QueueView(Result):
    """What `Reports.queue` answers: a category's waiting list, head first.

    Attributes:
        period: the period's code.
        category: the category's code.
        entries: the certificates waiting.
    """

    period: str
    category: str
    entries: list[QueueEntry]


class MonthLine(Result):
    """A month of a new contract and how its price is paid (rules 5-7).

    Attributes:
        month: `YYYY-MM`.
        price: the month's price, in the contract's unit.
        certificate: the part the certificate pays, in the contract's unit.
        parent: the part the parent pays (price less certificate).
    """

    month: str
    price: Kopecks
    certificate: Kopecks
    parent: Kopecks


class Enrolment(Answer):
    """What `Ledger.enroll` answers: the contract and its reservation (rules 5-8).

    Attributes:
        contract: the contract's id, `NUMBER-NNN`.
        number: the certificate's number.
        program: the program's code.
        provider: its provider's code.
        mode: `fixed` or `attendance`.
        start: the contract's first day.
        end: its last day.
        price: the months' prices summed, in `unit`: kopecks for `rub`, hundredths of an
            hour for `hours`.
        certificate_share: what the certificate pays of it (reserved now), in `unit`.
        parent_share: what the parent pays of it, in `unit`.
        months: month by month.
        normative: the normative cost over the contract, kopecks (rule 15); None: none, or
            a contract in hours.
        unit: `rub` (amounts in kopecks) or `hours` (in hundredths of an hour), rule 21.
        hour_cost: kopecks a person-hour is paid at (contracts in hours only).
        continues_until: rule 23, the end asked for after the period's end (the contract
            ends on the period's end and is prolonged up to it); None: it ends in its period.
    """

    contract: str
    number: str
    program: str
    provider: str
    mode: str
    start: date
    end: date
    continues_until: date | None = None
    price: Kopecks
    certificate_share: Kopecks
    parent_share: Kopecks
    months: list[MonthLine]
    normative: Kopecks | None = None
    unit: Unit = "rub"
    #: rule 21: the rubles a person-hour is paid at (hours contracts only)
    hour_cost: Kopecks | None = None


class AttendanceRecorded(Answer):
    """What `Ledger.record_attendance` answers (rule 8).

    Attributes:
        contract: the contract's id.
        recorded: how many lessons were recorded.
    """

    contract: str
    recorded: int


class BillingRun(Answer):
    """What `Ledger.bill` answers: the month billed (rule 9).

    Attributes:
        month: `YYYY-MM`.
        billed: how many contract months were billed.
        charged: kopecks charged to certificates (ruble contracts).
        released: kopecks released back to certificates (ruble contracts).
        parent: kopecks the parents pay for the month.
        attendance_missing: contracts paid by attendance with no lesson recorded in the
            month.
        charged_hours: hundredths of an hour charged (contracts in hours).
        released_hours: hundredths of an hour released (contracts in hours).
    """

    month: str
    billed: int
    charged: Kopecks
    released: Kopecks
    parent: Kopecks
    attendance_missing: list[str]
    charged_hours: Kopecks = 0
    released_hours: Kopecks = 0


class Termination(Answer):
    """What `Ledger.terminate` answers (rule 10).

    Attributes:
        contract: the contract's id.
        released: what went back to the certificate, in `unit`: kopecks for `rub`,
            hundredths of an hour for `hours`.
        cancelled_months: the months cancelled, `YYYY-MM`.
        unit: `rub` (amounts in kopecks) or `hours` (in hundredths of an hour), rule 21.
    """

    contract: str
    released: Kopecks
    cancelled_months: list[str]
    unit: Unit = "rub"


class Correction(Answer):
    """What `Ledger.correct` answers (rule 11).

    Attributes:
        contract: the contract's id.
        month: `YYYY-MM`.
        refunded: what went back to the certificate, in `unit`: kopecks for `rub`,
            hundredths of an hour for `hours`.
        unit: `rub` (amounts in kopecks) or `hours` (in hundredths of an hour), rule 21.
    """

    contract: str
    month: str
    refunded: Kopecks
    unit: Unit = "rub"


class PeriodBalance(Result):
    """A certificate's money for one period (its pot), in `unit`.

    Attributes:
        period: the period's code.
        category: the category it was funded in.
        nominal: the category's nominal as credited.
        credited: credited in all (fundings and changes of nominal).
        available: not reserved, spent nor expired.
        reserved: held for contract months not billed yet.
        spent: charged, less refunds.
        expired: lapsed at the period's close.
        unit: `rub` (amounts in kopecks) or `hours` (in hundredths of an hour), rule 21.
    """

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
    """What `Reports.balance` answers: a certificate's money per period.

    Attributes:
        number: the certificate's number.
        type: `accounting` (never funded) or `financing`.
        status: `active`, or `annulled` (rule 24).
        periods: one line per period it was funded for.
    """

    number: str
    type: str
    status: str
    periods: list[PeriodBalance]


class Movement(Result):
    """One movement of a certificate's money.

    Attributes:
        on: its business date.
        kind: `funded`, `nominal_changed`, `reserved`, `charged`, `released`, `refunded`,
            `expired` or `unfunded`.
        amount: in `unit`: kopecks for `rub`, hundredths of an hour for `hours`.
        period: the period's code.
        contract: the contract's id, if any.
        program: the program's code, if any.
        provider: the provider's code, if any.
        month: `YYYY-MM`, if any.
        unit: `rub` (amounts in kopecks) or `hours` (in hundredths of an hour), rule 21.
        actor: who asked for the command that moved it (rule 25); None when it was
            recorded before pfdo recorded actors.
    """

    on: date
    kind: str
    amount: Kopecks
    period: str
    contract: str | None
    program: str | None
    provider: str | None
    month: str | None
    unit: Unit = "rub"
    actor: str | None = None


class History(Result):
    """What `Reports.history` answers: a certificate's movements in log order.

    Attributes:
        number: the certificate's number.
        movements: its movements.
    """

    number: str
    movements: list[Movement]


class RegisterLine(Result):
    """A contract's line of a provider's register for a month.

    Attributes:
        contract: the contract's id.
        number: the certificate's number.
        program: the program's code.
        certificate: kopecks the provider is paid of the certificate (charged less
            refunded).
        parent: kopecks the parent pays.
        present: lessons attended (attendance contracts).
        recorded: lessons recorded (attendance contracts).
        unit: `rub` (amounts in kopecks) or `hours` (in hundredths of an hour), rule 21.
        hours: for a contract in hours, hundredths of an hour charged less refunded (rule
            21); None otherwise.
    """

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
    """What `Reports.register` answers: what the municipality owes a provider for a
    month, contract by contract.

    Attributes:
        provider: the provider's code.
        month: `YYYY-MM`.
        total_certificate: kopecks of the certificates, summed.
        total_parent: kopecks of the parents, summed.
        lines: the contracts' lines.
        total_hours: hundredths of an hour of the lines in hours, summed.
    """

    provider: str
    month: str
    total_certificate: Kopecks
    total_parent: Kopecks
    lines: list[RegisterLine]
    total_hours: Kopecks = 0


class Rebuilt(Result):
    """What `Ledger.rebuild` answers.

    Attributes:
        events: how many events were folded.
        seconds: how long it took.
    """

    events: int
    seconds: float


class Followed(Result):
    """What a follower answers (the CLI's `follow`).

    Attributes:
        folded: how many events were folded.
    """

    folded: int


class RowError(Result):
    """A wrong cell of an imported file: its line (the header is line 1) and column.

    Attributes:
        line: the line, the header being line 1.
        column: the column's name.
        reason: what is wrong with it.
    """

    line: int
    column: str
    reason: str


class SheetImported(Result):
    """A sheet imported: `rows` read, `written` now, `skipped` not written (already
    written by the same import before, or wrong: see `errors`).

    Attributes:
        file: the file imported.
        rows: rows read.
        written: rows written now.
        skipped: rows not written.
        errors: the wrong cells.
    """

    file: str
    rows: int
    written: int
    skipped: int
    errors: list[RowError]


class AttendanceImported(Result):
    """An attendance journal recorded: `rows` marks read, `written` of them recorded now,
    `skipped` already recorded by the same import (a retry), `errors` none.

    Attributes:
        file: the file imported.
        rows: marks read.
        written: marks recorded now.
        skipped: marks recorded before.
        errors: the wrong cells (none when recorded).
        recorded: lessons recorded.
        contracts: contracts the marks were for.
    """

    file: str
    rows: int
    written: int
    skipped: int
    errors: list[RowError]
    recorded: int
    contracts: int


# -- lists and cards -----------------------------------------------------------------------


class ProviderList(Result):
    """What `Reports.providers` answers.

    Attributes:
        providers: every provider, by code.
    """

    providers: list[ProviderResult]


class ProgramLine(Result):
    """A program as listed by `Reports.programs`.

    Attributes:
        program: the program's code.
        provider: its provider's code.
        title: its title.
        monthly_price: kopecks a month.
        min_age: the age band's lower end, years.
        max_age: the age band's upper end, years.
        capacity: contracts active at once, at most; None: no limit.
        status: `open` or `withdrawn`.
        normative_price: the normative monthly cost, kopecks (rule 15); None: none.
        hours_per_month: person-hours a month, in hundredths (rule 21); None: no hours.
        hour_cost: kopecks a person-hour (rule 21); None: no hours.
        prolongation: whether its contracts are prolonged into later periods (rule 23,
            `program settings`).
    """

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
    prolongation: bool = True


class ProgramList(Result):
    """What `Reports.programs` answers.

    Attributes:
        programs: the programs, by code.
    """

    programs: list[ProgramLine]


class PeriodLine(Result):
    """A period as listed by `Reports.periods`.

    Attributes:
        period: the period's code.
        municipality: its municipality's code.
        start: its first day.
        end: its last day.
        status: `open` or `closed`.
        categories: its categories.
    """

    period: str
    municipality: str
    start: date
    end: date
    status: str
    categories: list[CategoryResult]


class PeriodList(Result):
    """What `Reports.periods` answers.

    Attributes:
        periods: every period.
    """

    periods: list[PeriodLine]


class ContractLine(Result):
    """A contract as listed (`Reports.contracts`, the certificate's card).

    Attributes:
        contract: the contract's id, `NUMBER-NNN`.
        number: the certificate's number.
        program: the program's code.
        provider: its provider's code.
        period: the period holding it.
        start: its first day.
        end: its last day.
        mode: `fixed` or `attendance`.
        status: `active` or `terminated`.
        price: the months' prices summed, in `unit`: kopecks for `rub`, hundredths of an
            hour for `hours`.
        share: what the certificate pays of it, in `unit`.
        terminated_on: the termination's business date; None if not terminated.
        unit: `rub` (amounts in kopecks) or `hours` (in hundredths of an hour), rule 21.
    """

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
    """What `Reports.contracts` answers.

    Attributes:
        contracts: the contracts.
    """

    contracts: list[ContractLine]


class QueueLine(Result):
    """A certificate's place in a category's waiting list (rule 19).

    Attributes:
        period: the period's code.
        category: the category's code.
        position: 1 at the head.
        since: the business date it joined the list.
    """

    period: str
    category: str
    position: int
    since: date | None = None


class CertificateCard(Result):
    """What `Reports.certificate` answers: a certificate's card.

    Attributes:
        number: the certificate's number.
        municipality: its municipality's code.
        type: `accounting` or `financing`.
        status: `active`, or `annulled` (rule 24).
        periods: its money per period.
        contracts: its contracts.
        queues: the waiting lists it is on.
    """

    number: str
    municipality: str
    type: str
    status: str
    periods: list[PeriodBalance]
    contracts: list[ContractLine]
    queues: list[QueueLine]


class ContractMonth(Result):
    """A month of a contract's card, in the contract's `unit`.

    Attributes:
        month: `YYYY-MM`.
        price: the month's price.
        certificate: the certificate's part.
        parent: the parent's part.
        status: `open`, `billed` or `cancelled`.
        charged: charged to the certificate.
        released: released back to the certificate.
        refunded: refunded by corrections.
        present: lessons attended, as billing counted them; None until billed.
        recorded: lessons recorded, as billing counted them; None until billed.
    """

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
    """What `Reports.contract` answers: a contract's terms (as `ContractLine`) and
    its months.

    Attributes:
        months: month by month.
        actor: who enrolled it (rule 25); None when recorded before pfdo recorded actors.
        terminated_by: who terminated it; None when it is not terminated (or was before
            pfdo recorded actors).
        continues_until: rule 23, the end asked for beyond the period's end; None: the
            contract does not continue (or no longer: terminated or stopped).
        continues: the contract this one continues (rule 23), or None.
        continued_by: the successor that continues this one (rule 23), or None.
    """

    months: list[ContractMonth]
    actor: str | None = None
    terminated_by: str | None = None
    continues_until: date | None = None
    continues: str | None = None
    continued_by: str | None = None


# -- the year's turn (rule 23) -----------------------------------------------------------


class ContinuationStopped(Answer):
    """What `Ledger.stop_continuation` answers (rule 23).

    Attributes:
        contract: the contract's id.
        continues_until: None: the contract no longer continues.
    """

    contract: str
    continues_until: date | None = None


class ContinuingContract(Result):
    """A contract that continues beyond its period and is not prolonged yet, with what
    it will need in the next period at today's prices (rule 23).

    Attributes:
        contract: the contract's id.
        number: the certificate's number.
        program: the program's code.
        end: the contract's last day (its period's end, or earlier).
        continues_until: the end asked for.
        next_start: the successor's first day.
        next_end: its last day (in the next period, when it is opened).
        next_period: the next period, if the municipality has opened it; None: not yet.
        price: the successor's price at the program's price of today, in `unit`.
        unit: `rub` (kopecks) or `hours` (hundredths of an hour).
    """

    contract: str
    number: str
    program: str
    end: date
    continues_until: date
    next_start: date
    next_end: date
    next_period: str | None
    price: Kopecks
    unit: Unit = "rub"


class ContinuingList(Result):
    """What `Reports.continuing` answers (rule 23).

    Attributes:
        period: the period whose contracts continue.
        contracts: they, in the order they were made.
        price: their successors' prices summed, in rubles (kopecks).
        price_hours: the same in hours (hundredths), for contracts in hours.
    """

    period: str
    contracts: list[ContinuingContract]
    price: Kopecks
    price_hours: Kopecks = 0


class ProgramSettings(Answer):
    """What `Ledger.program_settings` answers (rule 23).

    Attributes:
        program: the program's code.
        prolongation: whether its contracts are prolonged into later periods.
    """

    program: str
    prolongation: bool


class Prolongation(Result):
    """A contract prolonged by a run (rule 23).

    Attributes:
        contract: the contract continued.
        successor: the new contract's id.
        start: the successor's first day.
        end: its last day.
        price: its months' prices summed, in `unit`.
        certificate_share: what the certificate pays of it (reserved), in `unit`.
        parent_share: what the parents pay of it, in `unit`.
        unit: `rub` (kopecks) or `hours` (hundredths of an hour).
    """

    contract: str
    successor: str
    start: date
    end: date
    price: Kopecks
    certificate_share: Kopecks
    parent_share: Kopecks
    unit: Unit = "rub"


class NotProlonged(Result):
    """A contract a prolongation run did not prolong, with the first reason that
    applies (rule 23): `not_funded`, `program_closed`, `prolongation_off`, `age`,
    `capacity`, `hours` or `overlap`.

    Attributes:
        contract: the contract's id.
        reason: why.
    """

    contract: str
    reason: str


class ProlongationRun(Answer):
    """What `Ledger.prolong` answers (rule 23).

    Attributes:
        period: the period prolonged into.
        prolonged: the contracts prolonged by this run, in the order they were made.
        not_prolonged: those left, each with its reason.
        reasons: reason -> how many contracts it left.
    """

    period: str
    prolonged: list[Prolongation]
    not_prolonged: list[NotProlonged]
    reasons: dict[str, int]


# -- settlement (rules 16, 17) ------------------------------------------------------------


class InvoiceLine(Result):
    """A contract's line of an advance or invoice.

    Attributes:
        contract: the contract's id.
        number: the certificate's number.
        amount: kopecks.
    """

    contract: str
    number: str
    amount: Kopecks


class AdvanceIssued(Answer):
    """What `RegionalPractice.issue_advance` answers (rule 16).

    Attributes:
        invoice: the advance's number, `PROVIDER/YYYY-MM-A`.
        provider: the provider's code.
        month: `YYYY-MM`.
        total: kopecks advanced.
        lines: the contracts advanced for.
    """

    invoice: str
    provider: str
    month: str
    total: Kopecks
    lines: list[InvoiceLine]


class InvoiceIssued(Answer):
    """What `RegionalPractice.issue_invoice` answers (rule 17); kopecks.

    Attributes:
        invoice: the invoice's number, `PROVIDER/YYYY-MM`.
        provider: the provider's code.
        month: `YYYY-MM`.
        amount: the register's amount.
        advance: the month's advance, deducted.
        adjustments: adjustments deducted (refunds after earlier invoices).
        due: amount less advance and adjustments; negative: owed back.
        as_of: the log position the register was read at.
        lines: the contracts' lines.
    """

    invoice: str
    provider: str
    month: str
    amount: Kopecks
    advance: Kopecks
    adjustments: Kopecks
    due: Kopecks
    as_of: int
    lines: list[InvoiceLine]


class InvoicePaid(Answer):
    """What `RegionalPractice.pay_invoice` answers.

    Attributes:
        invoice: the document's number.
        kind: `advance` or `invoice`.
        paid_on: the business date of the payment.
        amount: kopecks paid.
    """

    invoice: str
    kind: str
    paid_on: date
    amount: Kopecks


class InvoiceSummary(Result):
    """An advance or invoice as listed by `Reports.invoices`; kopecks.

    Attributes:
        invoice: its number.
        kind: `advance` or `invoice`.
        provider: the provider's code.
        month: `YYYY-MM`.
        amount: the register's amount (an advance: what it advances).
        advance: the advance deducted.
        adjustments: the adjustments deducted.
        due: what it asks for; negative: owed back.
        issued_on: its business date.
        paid_on: when it was paid; None: unpaid.
    """

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
    """What `Reports.invoices` answers.

    Attributes:
        invoices: the advances and invoices.
        total_due: kopecks due, summed.
    """

    invoices: list[InvoiceSummary]
    total_due: Kopecks


class ProviderOwes(Result):
    """Adjustments a provider still owes back at a period's close (rule 17).

    Attributes:
        provider: the provider's code.
        amount: kopecks.
    """

    provider: str
    amount: Kopecks
