"""The public API of pfdo: the one class that portals embed and the CLI calls.

Every writing command is validated (pydantic), then runs load -> decide -> save: the
aggregates it touches are read from the log, the domain decides, and all their new events
are saved in one atomic `save` (with the request record, when a request id is given).
A save that loses an optimistic-concurrency race is retried a bounded number of times.
After each save the read models catch up with the log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import RecordConflictError, Recording

from pfdo import commands as cmd
from pfdo import pseudonyms
from pfdo import results as res
from pfdo.audit.auditor import Auditor
from pfdo.audit.keys import signing_key_from_env
from pfdo.collector import collector_paused
from pfdo.domain import billing, closing
from pfdo.domain.calendar import next_month_start
from pfdo.domain.certificate import Certificate, ChildRegistration
from pfdo.domain.contract import Contract
from pfdo.domain.enrolment import enrol
from pfdo.domain.errors import (
    AlreadyExists,
    ConcurrencyConflict,
    NotFound,
    PfdoError,
    Refused,
)
from pfdo.domain.period import CategoryState, Municipality, Period
from pfdo.domain.registry import Program, Provider
from pfdo.domain.requests import RequestRecord
from pfdo.follower import follow
from pfdo.loading import load_batch, load_many, save_snapshots
from pfdo.projections import queries
from pfdo.projections.decoding import EventDecoder
from pfdo.projections.runner import Projector
from pfdo.projections.timeline import Timeline
from pfdo.pseudonyms import Pseudonyms, load_pseudonyms
from pfdo.reports import Reports
from pfdo.store import (
    StoreURL,
    ensure_postgres_database,
    open_engine,
    open_event_log,
    schema_lock,
)
from pfdo.unit_of_work import UnitOfWork

A = TypeVar("A", bound=Aggregate)
R = TypeVar("R", bound=res.Result)
C = TypeVar("C", bound=cmd.Command)
Decision = tuple[R, list[Aggregate]]

MAX_ATTEMPTS = 5
BILLING_BATCH = 500
#: A billing run snapshots a contract or certificate replayed from this many events or more.
SNAPSHOT_AFTER = 4


class Ledger(Reports):
    """pfdo's accounting engine on one store (SQLite file or PostgreSQL database)."""

    def __init__(
        self,
        db: str | None = None,
        *,
        billing_batch: int = BILLING_BATCH,
        project_after_commands: bool = True,
    ) -> None:
        """Open (creating on first use) the store `db`: a SQLite path, `sqlite:///PATH` or
        `postgresql://...`; default `PFDO_DB`, then `./pfdo.sqlite`.

        `project_after_commands=False` leaves the read models to a `follow()` worker: a
        command then only writes the log (reports still catch up before they answer).
        """
        self.store = StoreURL.parse(db)
        self.billing_batch = billing_batch
        self.project_after_commands = project_after_commands
        if self.store.kind == "postgresql":
            ensure_postgres_database(self.store)
        self._engine = open_engine(self.store)
        with schema_lock(self.store):
            self._log = open_event_log(self.store)
            self._projector = Projector(self._log, self._engine)
            self._timeline = Timeline(self._log)
            self._projector.ensure_schema()
            pseudonyms.ensure_ids_key(
                self._engine, self._log.mapper.cipher, self.log_position() == 0
            )
        self._decode = EventDecoder(self._log.mapper, None).decode
        self.conflicts_retried = 0
        self._bulk: UnitOfWork | None = None
        self._pseudonyms: Pseudonyms | None = None
        self._projector.catch_up()

    def close(self) -> None:
        self._log.close()
        self._engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- the machinery every command shares -------------------------------------------

    def _load(self, cls: type[A], aggregate_id: UUID) -> A | None:
        """From its latest snapshot, if any, and the events after it (`pfdo.loading`)."""
        found = load_many(self._log, [aggregate_id], self._decode)
        return cast(A | None, found.get(aggregate_id))

    @property
    def _ids(self) -> Pseudonyms:
        """How this store derives the ids that are functions of personal data."""
        if self._pseudonyms is None:
            with self._engine.connect() as connection:
                self._pseudonyms = load_pseudonyms(connection, self._log.mapper.cipher)
        return self._pseudonyms

    def _find(self, cls: type[A], key: str) -> A | None:
        """The aggregate of kind `cls` named `key`, or None."""
        return self._find_id(cls, cls.id_for(key))  # type: ignore[attr-defined]

    def _find_id(self, cls: type[A], aggregate_id: UUID) -> A | None:
        """The aggregate `aggregate_id`, or None: one read of the log, or none when a bulk
        already holds it."""
        if self._bulk is None:
            return self._load(cls, aggregate_id)
        found = self._bulk.get(aggregate_id)
        if found is None:
            found = self._load(cls, aggregate_id)
            if found is not None:
                self._bulk.track(found)
        return cast(A | None, found)

    @contextmanager
    def bulk(self, chunk: int = 1000) -> Iterator[Ledger]:
        """Run many commands with few transactions: inside the block, commands are decided
        in memory and saved `chunk` at a time, each chunk in one atomic save.

        Results are returned as each command is decided. A refused command raises as usual
        and writes nothing; the block goes on. If the block raises, the commands decided
        since the last save are not written. A chunk that meets a concurrent writer raises
        `ConcurrencyConflict` and is not written: run the bulk again with request ids.
        """
        if self._bulk is not None:
            raise RuntimeError("Ledger.bulk() blocks do not nest")
        self._bulk = UnitOfWork(chunk, keep=(Period, Program, Municipality, Provider))
        try:
            yield self
            self._save_bulk()
        finally:
            self._bulk = None

    def _project(self, recorded: Sequence[Recording[UUID]] = ()) -> None:
        """After a write: fold it into the read models, unless a follower does that."""
        if self.project_after_commands:
            self._projector.catch_up(recorded)

    def _settle(self) -> None:
        """Make the read models show everything decided so far, bulk included."""
        self._save_bulk()
        self._projector.catch_up()

    def _save_bulk(self) -> None:
        if self._bulk is None or not self._bulk.pending():
            return
        try:
            self._log.save(*self._bulk.pending())
        except RecordConflictError:
            self._bulk.saved()
            raise ConcurrencyConflict(
                "bulk: another writer changed the same records; the commands of this chunk "
                "were not written"
            ) from None
        self._bulk.saved()
        self._project()

    def _get(self, cls: type[A], key: str, what: str) -> A:
        found = self._find(cls, key)
        if found is None:
            raise NotFound(f"{what} {key} does not exist")
        return found

    def _exists(self, cls: type[Aggregate], key: str) -> bool:
        return self._find(cls, key) is not None

    def _replayed(
        self, command: cmd.Command, request_id: str | None, result_type: type[R]
    ) -> R | None:
        """The first result of a request id already used, or None for a new one."""
        if request_id is None:
            return None
        record = self._find_id(RequestRecord, self._ids.request_record(request_id))
        if record is None:
            return None
        return result_type.model_validate(record.replay(command.verb, command.fingerprint()))

    def _execute(
        self,
        command: C,
        request_id: str | None,
        result_type: type[R],
        decide: Callable[[C], Decision[R]],
    ) -> R:
        if self._bulk is not None:
            return self._execute_in_bulk(self._bulk, command, request_id, result_type, decide)
        for _attempt in range(MAX_ATTEMPTS):
            replayed = self._replayed(command, request_id, result_type)
            if replayed is not None:
                return replayed
            result, changed = decide(command)
            changed.extend(self._request_record(command, request_id, result))
            try:
                recorded = self._log.save(*changed)
            except RecordConflictError:
                self.conflicts_retried += 1
                continue
            self._project(recorded)
            return result
        raise ConcurrencyConflict(
            f"{command.verb}: other writers kept changing the same records; "
            f"gave up after {MAX_ATTEMPTS} attempts, nothing was written"
        )

    def _request_record(
        self, command: cmd.Command, request_id: str | None, result: res.Result
    ) -> list[Aggregate]:
        """The record of a request id beside its command's changes (none without an id)."""
        if request_id is None:
            return []
        record = RequestRecord.record(
            self._ids.request_record(request_id),
            request_id,
            command.verb,
            command.fingerprint(),
            result.model_dump(mode="json"),
            command.on,
        )
        return [record]

    def log_position(self) -> int:
        """The position of the last event in the log (0 for an empty log)."""
        return self._log.recorder.max_notification_id() or 0

    def _execute_in_bulk(
        self,
        bulk: UnitOfWork,
        command: C,
        request_id: str | None,
        result_type: type[R],
        decide: Callable[[C], Decision[R]],
    ) -> R:
        replayed = self._replayed(command, request_id, result_type)
        if replayed is not None:
            return replayed
        bulk.begin()
        try:
            result, changed = decide(command)
        except PfdoError:
            bulk.undo(self._load)
            raise
        changed.extend(self._request_record(command, request_id, result))
        if bulk.done(changed):
            self._save_bulk()
        return result

    def catch_up(self) -> int:
        """Fold into the read models whatever the log holds that they do not yet."""
        return self._projector.catch_up()

    def follow(
        self,
        *,
        poll: float = 1.0,
        stop: Callable[[], bool] = lambda: False,
        on_fold: Callable[[int], None] | None = None,
    ) -> int:
        """Keep the read models level with the log until `stop()` is true (a projection
        worker beside the portals); return how many events were folded."""
        channel = getattr(self._log.recorder, "channel_name", None)
        return follow(
            self._projector.catch_up, self.store, channel, poll=poll, stop=stop, on_fold=on_fold
        )

    def auditor(self) -> Auditor:
        """The auditor's toolkit on this store: verify, checkpoint, export, explain."""
        return Auditor(self._log, self._engine)

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> res.Rebuilt:
        """Empty every read model and fold the whole log again."""
        report = self._projector.rebuild(progress)
        return res.Rebuilt(events=report.events, seconds=round(report.seconds, 3))

    # -- periods -------------------------------------------------------------------------

    def open_period(
        self,
        period: str,
        *,
        municipality: str,
        start: date | str,
        end: date | str,
        categories: Mapping[str, Mapping[str, Any]],
        on: date | str | None = None,
        request_id: str | None = None,
    ) -> res.PeriodOpened:
        """Open a municipality's period with its categories (rule 2)."""
        command = cmd.OpenPeriod.build(
            period=period,
            municipality=municipality,
            start=start,
            end=end,
            categories=categories,
            on=on,
        )
        return self._execute(command, request_id, res.PeriodOpened, self._open_period)

    def _open_period(self, c: cmd.OpenPeriod) -> Decision[res.PeriodOpened]:
        if self._exists(Period, c.period):
            raise AlreadyExists(f"period {c.period} exists already")
        municipality = self._find(Municipality, c.municipality) or Municipality.register(
            c.municipality, c.on
        )
        municipality.add_period(c.period, c.start, c.end, c.on)
        states = {
            name: CategoryState(
                nominal=spec.nominal,
                count_limit=spec.count,
                sum_limit=spec.sum,
                funded_count=0,
                funded_sum=0,
            )
            for name, spec in c.categories.items()
        }
        period = Period.open(c.period, c.municipality, c.start, c.end, states, c.on)
        result = res.PeriodOpened(
            period=c.period,
            municipality=c.municipality,
            start=c.start,
            end=c.end,
            categories=[
                res.CategoryResult(name=n, nominal=s.nominal, count_limit=s.count, sum_limit=s.sum)
                for n, s in c.categories.items()
            ],
        )
        return result, [municipality, period]

    def close_period(
        self, period: str, *, on: date | str | None = None, request_id: str | None = None
    ) -> res.PeriodClosed:
        """Close a period: every month billed or cancelled; available money expires (rule 12).

        Then a checkpoint of the log is recorded, once per period, signed with the key that
        `PFDO_AUDIT_KEY` names (an unreadable key refuses the close before it is written)."""
        command = cmd.ClosePeriod.build(period=period, on=on)
        key = signing_key_from_env()
        result = self._execute(command, request_id, res.PeriodClosed, self._close_period)
        self._settle()
        self.auditor().record_close_checkpoint(command.period, key)
        return result

    def _close_period(self, c: cmd.ClosePeriod) -> Decision[res.PeriodClosed]:
        period = self._get(Period, c.period, "period")
        period.check_open()
        self._settle()
        with self._engine.connect() as connection:
            numbers = queries.funded_numbers(connection, c.period)
            unbilled = queries.unbilled_months(connection, c.period)
        certificates = self._certificates(numbers)
        expired = closing.close_period(period, certificates, unbilled, c.on)
        result = res.PeriodClosed(period=c.period, expired=expired, certificates=len(certificates))
        return result, [period, *certificates]

    def change_nominal(
        self,
        period: str,
        *,
        category: str,
        nominal: str | int,
        on: date | str | None = None,
        request_id: str | None = None,
    ) -> res.NominalChanged:
        """Raise or lower a category's nominal on every certificate funded in it (rule 13)."""
        command = cmd.ChangeNominal.build(period=period, category=category, nominal=nominal, on=on)
        return self._execute(command, request_id, res.NominalChanged, self._change_nominal)

    def _change_nominal(self, c: cmd.ChangeNominal) -> Decision[res.NominalChanged]:
        period = self._get(Period, c.period, "period")
        period.check_open()
        period.category(c.category)
        self._settle()
        with self._engine.connect() as connection:
            numbers = queries.funded_numbers(connection, c.period, c.category)
        certificates = self._certificates(numbers)
        delta = closing.change_nominal(period, c.category, c.nominal, certificates, c.on)
        result = res.NominalChanged(
            period=c.period,
            category=c.category,
            nominal=c.nominal,
            delta=delta,
            certificates=len(certificates),
        )
        return result, [period, *certificates]

    def _certificates(self, numbers: Iterable[str]) -> list[Certificate]:
        return [self._get(Certificate, n, "certificate") for n in numbers]

    # -- providers and programs ------------------------------------------------------

    def add_provider(
        self,
        provider: str,
        *,
        name: str,
        kind: str = "private",
        on: date | str | None = None,
        request_id: str | None = None,
    ) -> res.ProviderResult:
        """Admit a provider to the registry (rule 4)."""
        command = cmd.AddProvider.build(provider=provider, name=name, kind=kind, on=on)
        return self._execute(command, request_id, res.ProviderResult, self._add_provider)

    def _add_provider(self, c: cmd.AddProvider) -> Decision[res.ProviderResult]:
        if self._exists(Provider, c.provider):
            raise AlreadyExists(f"provider {c.provider} exists already")
        provider = Provider.admit(c.provider, c.name, c.kind, c.on)
        return _provider_result(provider), [provider]

    def exclude_provider(
        self, provider: str, *, on: date | str | None = None, request_id: str | None = None
    ) -> res.ProviderResult:
        """Exclude a provider from the registry: its programs take no new contracts."""
        command = cmd.ExcludeProvider.build(provider=provider, on=on)
        return self._execute(command, request_id, res.ProviderResult, self._exclude_provider)

    def _exclude_provider(self, c: cmd.ExcludeProvider) -> Decision[res.ProviderResult]:
        provider = self._get(Provider, c.provider, "provider")
        provider.exclude(c.on)
        return _provider_result(provider), [provider]

    def add_program(
        self,
        program: str,
        *,
        provider: str,
        title: str,
        monthly_price: str | int,
        min_age: int,
        max_age: int,
        capacity: int | None = None,
        on: date | str | None = None,
        request_id: str | None = None,
    ) -> res.ProgramResult:
        """Add a provider's program with its monthly price and age band (rule 4)."""
        command = cmd.AddProgram.build(
            program=program,
            provider=provider,
            title=title,
            monthly_price=monthly_price,
            min_age=min_age,
            max_age=max_age,
            capacity=capacity,
            on=on,
        )
        return self._execute(command, request_id, res.ProgramResult, self._add_program)

    def _add_program(self, c: cmd.AddProgram) -> Decision[res.ProgramResult]:
        if self._exists(Program, c.program):
            raise AlreadyExists(f"program {c.program} exists already")
        provider = self._get(Provider, c.provider, "provider")
        program = Program.add(
            c.program, provider, c.title, c.monthly_price, c.min_age, c.max_age, c.capacity, c.on
        )
        return _program_result(program), [program]

    def withdraw_program(
        self, program: str, *, on: date | str | None = None, request_id: str | None = None
    ) -> res.ProgramResult:
        """Withdraw a program: it takes no new contracts; running ones go on."""
        command = cmd.WithdrawProgram.build(program=program, on=on)
        return self._execute(command, request_id, res.ProgramResult, self._withdraw_program)

    def _withdraw_program(self, c: cmd.WithdrawProgram) -> Decision[res.ProgramResult]:
        program = self._get(Program, c.program, "program")
        program.withdraw(c.on)
        return _program_result(program), [program]

    # -- certificates -----------------------------------------------------------------

    def issue_certificate(
        self,
        *,
        child: str,
        birth_date: date | str,
        municipality: str,
        number: str | None = None,
        on: date | str | None = None,
        request_id: str | None = None,
    ) -> res.CertificateIssued:
        """Issue a child's (accounting) certificate (rule 1)."""
        command = cmd.IssueCertificate.build(
            child=child, birth_date=birth_date, municipality=municipality, number=number, on=on
        )
        return self._execute(command, request_id, res.CertificateIssued, self._issue)

    def _issue(self, c: cmd.IssueCertificate) -> Decision[res.CertificateIssued]:
        registration_id = self._ids.child_registration(c.child)
        existing = self._find_id(ChildRegistration, registration_id)
        if existing is not None:
            raise AlreadyExists(f"child {c.child} already has certificate {existing.number}")
        if c.number is not None and self._exists(Certificate, c.number):
            raise AlreadyExists(f"certificate number {c.number} is already taken")
        number = c.number or self._free_number(c.child)
        certificate = Certificate.issue(number, c.child, c.birth_date, c.municipality, c.on)
        registration = ChildRegistration.register(registration_id, c.child, number, c.on)
        result = res.CertificateIssued(
            number=number, municipality=c.municipality, type=certificate.kind
        )
        return result, [certificate, registration]

    def _free_number(self, child: str) -> str:
        """A 10-digit number derived from the child id, probing on the rare collision."""
        for attempt in range(1000):
            number = self._ids.certificate_number(child, attempt)
            if not self._exists(Certificate, number):
                return number
        raise Refused(f"no free certificate number found for child {child}")

    def fund_certificate(
        self,
        number: str,
        *,
        period: str,
        category: str,
        on: date | str | None = None,
        request_id: str | None = None,
    ) -> res.CertificateFunded:
        """Credit a period's nominal to a certificate (rule 3)."""
        command = cmd.FundCertificate.build(number=number, period=period, category=category, on=on)
        return self._execute(command, request_id, res.CertificateFunded, self._fund)

    def _fund(self, c: cmd.FundCertificate) -> Decision[res.CertificateFunded]:
        certificate = self._get(Certificate, c.number, "certificate")
        period = self._get(Period, c.period, "period")
        period.check_open()
        nominal = period.category(c.category)["nominal"]
        certificate.fund(period.code, period.municipality, period.start, c.category, nominal, c.on)
        period.record_funding(c.number, c.category, c.on)
        result = res.CertificateFunded(
            number=c.number, period=c.period, category=c.category, nominal=nominal
        )
        return result, [certificate, period]

    # -- contracts --------------------------------------------------------------------

    def enroll(
        self,
        number: str,
        *,
        program: str,
        start: date | str,
        end: date | str,
        mode: str = "fixed",
        on: date | str | None = None,
        request_id: str | None = None,
    ) -> res.Enrolment:
        """Enrol a child in a program and reserve the certificate's share (rules 5-8)."""
        command = cmd.Enrol.build(
            number=number, program=program, start=start, end=end, mode=mode, on=on
        )
        return self._execute(command, request_id, res.Enrolment, self._enroll)

    def _enroll(self, c: cmd.Enrol) -> Decision[res.Enrolment]:
        certificate = self._get(Certificate, c.number, "certificate")
        program = self._get(Program, c.program, "program")
        provider = self._get(Provider, program.provider, "provider")
        period = self._period_for(certificate, c.start, c.end)
        contract = enrol(certificate, program, provider, period, c.start, c.end, c.mode, c.on)
        months = [
            res.MonthLine(
                month=m,
                price=s["price"],
                certificate=s["certificate"],
                parent=s["price"] - s["certificate"],
            )
            for m, s in contract.months.items()
        ]
        price = sum(line.price for line in months)
        result = res.Enrolment(
            contract=contract.code,
            number=c.number,
            program=c.program,
            provider=provider.code,
            mode=c.mode,
            start=c.start,
            end=c.end,
            price=price,
            certificate_share=contract.share,
            parent_share=price - contract.share,
            months=months,
        )
        return result, [certificate, program, contract]

    def _period_for(self, certificate: Certificate, start: date, end: date) -> Period:
        """The municipality's period that holds the contract's start date."""
        municipality = self._find(Municipality, certificate.municipality)
        if municipality is not None:
            for code, (first, last) in municipality.periods.items():
                if date.fromisoformat(first) <= start <= date.fromisoformat(last):
                    return self._get(Period, code, "period")
        raise Refused(
            f"contract dates {start}..{end} are outside every period of municipality "
            f"{certificate.municipality}"
        )

    def record_attendance(
        self,
        contract: str,
        *,
        dates: Sequence[date | str],
        present: bool = True,
        on: date | str | None = None,
        request_id: str | None = None,
    ) -> res.AttendanceRecorded:
        """Record lessons of a contract as present (or absent) (rule 8)."""
        command = cmd.RecordAttendance.build(
            contract=contract, dates=tuple(dates), present=present, on=on
        )
        return self._execute(command, request_id, res.AttendanceRecorded, self._attend)

    def _attend(self, c: cmd.RecordAttendance) -> Decision[res.AttendanceRecorded]:
        contract = self._get(Contract, c.contract, "contract")
        self._get(Period, contract.period, "period").check_open()
        recorded = contract.record_attendance([(d, c.present) for d in c.dates], c.on)
        return res.AttendanceRecorded(contract=c.contract, recorded=recorded), [contract]

    def terminate(
        self,
        contract: str,
        *,
        reason: str = "",
        on: date | str | None = None,
        request_id: str | None = None,
    ) -> res.Termination:
        """Terminate a contract on the business date; later months are released (rule 10)."""
        command = cmd.Terminate.build(contract=contract, reason=reason, on=on)
        return self._execute(command, request_id, res.Termination, self._terminate)

    def _terminate(self, c: cmd.Terminate) -> Decision[res.Termination]:
        contract = self._get(Contract, c.contract, "contract")
        self._get(Period, contract.period, "period").check_open()
        certificate = self._get(Certificate, contract.number, "certificate")
        program = self._get(Program, contract.program, "program")
        released = billing.terminate(contract, certificate, c.reason, c.on)
        program.end_contract(contract.code, c.on if c.on >= contract.start else None, c.on)
        cancelled = [m for m, s in contract.months.items() if s["status"] == "cancelled"]
        result = res.Termination(contract=c.contract, released=released, cancelled_months=cancelled)
        return result, [contract, certificate, program]

    def correct(
        self,
        contract: str,
        *,
        month: str,
        refund: str | int,
        reason: str,
        on: date | str | None = None,
        request_id: str | None = None,
    ) -> res.Correction:
        """Refund part or all of a month's charge to the certificate (rule 11)."""
        command = cmd.Correct.build(
            contract=contract, month=month, refund=refund, reason=reason, on=on
        )
        return self._execute(command, request_id, res.Correction, self._correct)

    def _correct(self, c: cmd.Correct) -> Decision[res.Correction]:
        contract = self._get(Contract, c.contract, "contract")
        self._get(Period, contract.period, "period").check_open()
        certificate = self._get(Certificate, contract.number, "certificate")
        billing.refund(contract, certificate, c.month, c.refund, c.reason, c.on)
        result = res.Correction(contract=c.contract, month=c.month, refunded=c.refund)
        return result, [contract, certificate]

    # -- billing ---------------------------------------------------------------------

    def bill(
        self,
        month: str,
        *,
        on: date | str | None = None,
        request_id: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> res.BillingRun:
        """Bill month `month` for every contract (rule 9), in atomic batches.

        Each batch of contracts is saved with their certificates in one transaction, so an
        interrupted run leaves whole months billed or not; running again bills the rest.
        """
        command = cmd.BillMonth.build(month=month, on=on)
        self._settle()
        bulk, self._bulk = self._bulk, None  # a billing run batches on its own
        try:
            return self._bill(command, request_id, progress)
        finally:
            self._bulk = bulk

    def _bill(
        self,
        command: cmd.BillMonth,
        request_id: str | None,
        progress: Callable[[int, int], None] | None,
    ) -> res.BillingRun:
        replayed = self._replayed(command, request_id, res.BillingRun)
        if replayed is not None:
            return replayed
        opens = next_month_start(command.month)
        if command.on < opens:
            raise Refused(f"month {command.month} can be billed from {opens}, not on {command.on}")
        with self._engine.connect() as connection:
            candidates = queries.open_contracts_in(connection, command.month)
        totals = _BillingTotals()
        size = self.billing_batch
        with collector_paused():
            for start in range(0, len(candidates), size):
                batch = candidates[start : start + size]
                self._bill_batch(command, batch, totals)
                if progress is not None:
                    progress(min(start + size, len(candidates)), len(candidates))
            result = totals.result(command.month)
            self._log.save(*self._request_record(command, request_id, result))
            self._project()
        return result

    def _bill_batch(self, c: cmd.BillMonth, batch: Sequence[str], totals: _BillingTotals) -> None:
        for _attempt in range(MAX_ATTEMPTS):
            attempt = _BillingTotals()
            loaded = load_batch(self._log, (Contract.id_for(code) for code in batch), self._decode)
            contracts = [cast(Contract, loaded.aggregates[Contract.id_for(code)]) for code in batch]
            holders = load_batch(
                self._log, (Certificate.id_for(k.number) for k in contracts), self._decode
            )
            certificates = {
                cast(Certificate, a).number: cast(Certificate, a)
                for a in holders.aggregates.values()
            }
            for contract in contracts:
                certificate = certificates[contract.number]
                outcome = billing.bill_month(contract, certificate, c.month, c.on)
                attempt.add(contract.code, outcome)
            try:
                self._log.save(*contracts, *certificates.values())
            except RecordConflictError:
                self.conflicts_retried += 1
                continue
            totals.merge(attempt)
            # so that the next run loads what it replayed at length from here
            long = loaded.replayed_at_length(SNAPSHOT_AFTER)
            save_snapshots(self._log, long + holders.replayed_at_length(SNAPSHOT_AFTER))
            return
        raise ConcurrencyConflict(
            f"bill {c.month}: other writers kept changing the same contracts; this batch was "
            "not billed (earlier batches were); run the billing again"
        )


class _BillingTotals:
    """Sums of one billing run."""

    def __init__(self) -> None:
        self.billed = self.charged = self.released = self.parent = 0
        self.missing: list[str] = []

    def add(self, contract: str, outcome: billing.BillingOutcome) -> None:
        if outcome.attendance_missing:
            self.missing.append(contract)
        elif outcome.billed is not None:
            self.billed += 1
            self.charged += outcome.billed.charged
            self.released += outcome.billed.released
            self.parent += outcome.billed.parent

    def merge(self, other: _BillingTotals) -> None:
        self.billed += other.billed
        self.charged += other.charged
        self.released += other.released
        self.parent += other.parent
        self.missing.extend(other.missing)

    def result(self, month: str) -> res.BillingRun:
        return res.BillingRun(
            month=month,
            billed=self.billed,
            charged=self.charged,
            released=self.released,
            parent=self.parent,
            attendance_missing=sorted(self.missing),
        )


def _provider_result(provider: Provider) -> res.ProviderResult:
    return res.ProviderResult(
        provider=provider.code, name=provider.name, kind=provider.kind, status=provider.status
    )


def _program_result(program: Program) -> res.ProgramResult:
    return res.ProgramResult(
        program=program.code,
        provider=program.provider,
        monthly_price=program.monthly_price,
        status=program.status,
    )
