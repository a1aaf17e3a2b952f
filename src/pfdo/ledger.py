"""The public API of pfdo: the one class that portals embed and the CLI calls.

`Ledger` is a façade over the layers below it. Each writing command is validated
(pydantic, `pfdo.application.commands`), then handed to the executor
(`pfdo.application.execution`: load, decide, save, retry; idempotency in
`pfdo.application.idempotency`) with its decision (`pfdo.application.decisions`); a billing
run goes to `pfdo.application.billing_run`; reports are answered by
`pfdo.application.reports`, exports and the period report by the desk
(`pfdo.desk.exports.desk`), verification by the auditor (`pfdo.audit`). The parts on the
store are built by `pfdo.application.bootstrap`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any

from pfdo.application import commands as cmd
from pfdo.application import results as res
from pfdo.application.actors import check_actor
from pfdo.application.billing_run import BILLING_BATCH, BillingRun
from pfdo.application.bootstrap import bootstrap
from pfdo.application.certificate_moves import CertificateMoves
from pfdo.application.decisions import admissions as registry
from pfdo.application.decisions import certificates, contracts, funding, periods
from pfdo.application.execution import Executor
from pfdo.application.failures import translated
from pfdo.application.fields import check_seconds, check_texts
from pfdo.application.follower import follow
from pfdo.application.practice import RegionalPractice
from pfdo.application.prolongation_run import ProlongationRun
from pfdo.desk.exports.desk import Desk
from pfdo.domain.contract import Contract
from pfdo.storage.store import store_errors

if TYPE_CHECKING:  # the auditor's toolkit is loaded when it is asked for
    from pfdo.audit.auditor import Auditor
    from pfdo.audit.keys import SigningKey

log = logging.getLogger(__name__)


class Ledger(Desk, RegionalPractice, CertificateMoves):
    """pfdo's accounting engine on one store (SQLite file or PostgreSQL database).

    Opening a `Ledger` has no side effect beyond creating the store's tables on first
    use: it folds nothing. A command's transaction holds its events and its request
    record, nothing else; the read models and the audit chain follow the log off the
    command's path, folded in batches exactly once: by the next report through any
    `Ledger` (every report catches up before it answers, so a caller reads its own
    writes), by a command whose rules read them (closing a period, changing a nominal,
    billing), by `catch_up()`, `wait_for()`, `follow()`, and when this `Ledger` closes.
    `rebuild()` refolds the whole log without catching up first. The consistency each
    call gives is in docs/ARCHITECTURE.md ("What a caller sees").

    Threads: one `Ledger` may be shared by the threads of a portal. Its commands run one
    at a time within the process (the store takes one writer at a time anyway); reads
    run concurrently. A `bulk()` block belongs to the thread that opened it and makes
    the other threads' commands wait until it ends. A command whose events are committed
    returns its result: a failure after the commit (snapshots, a period close's
    checkpoint) is logged, and the next catch-up folds what the command wrote. Every error
    a caller sees is a `PfdoError`: a store that is busy or failing raises
    `StoreUnavailable`, a race lost more often than the retries allow
    `ConcurrencyConflict`.

    Writing commands take keyword arguments as text or Python values: amounts in rubles
    (`1500`, `"1500.50"`; results give kopecks as integers), dates as `date` or
    `"YYYY-MM-DD"`, months as `"YYYY-MM"`. Each takes a business date `on` (default
    today), an optional `request_id`: a retry with the same id and arguments returns
    the first result and writes nothing, and an optional `actor`, who asked for it (rule
    25; default: the `Ledger`'s `actor`), recorded in every event it writes; a malformed
    actor raises `InvalidInput`. The rules cited are those of docs/RULES.md.
    The reports (balances, histories, registers, lists and cards) come from `Reports`,
    the exports and the period report from `Desk`, the commands of regional practice
    (rules 15-20) from `RegionalPractice`, moving and annulling a certificate (rule 24)
    from `CertificateMoves`.
    """

    def __init__(
        self,
        db: str | None = None,
        *,
        billing_batch: int = BILLING_BATCH,
        project_after_commands: bool = True,
        create: bool = True,
        read_only: bool | None = None,
        actor: str | None = None,
        busy_timeout: float | None = None,
    ) -> None:
        """Open the store `db`: a SQLite path, `sqlite:///PATH` or `postgresql://...`;
        default `PFDO_DB`, then `./pfdo.sqlite`.

        `create=False` opens an existing store only (else `NoStore`); by default a missing
        store is created, in a folder that must exist. A store this user may not write
        opens read-only (`read_only=None`): reports answer from the read models as stored
        (`read_models_behind()` says how far behind the log) and commands raise
        `StoreUnavailable`; `read_only=False` refuses such a store, `True` opens any store
        read-only. Whatever stops the store from opening raises `StoreUnavailable`.

        `project_after_commands=False` leaves the read models to a `follow()` worker
        entirely: this `Ledger` does not keep its saves for the next catch-up nor fold
        them when it closes (its reports still catch up before they answer).
        `billing_batch` is how many contracts a billing run saves per transaction.

        `actor` is who a command given no `actor=` of its own was asked by (rule 25): it
        is recorded in every event the command writes. Default: the operating-system user
        of this process (`getpass.getuser()`; `uid:N` when it has no name), the default
        of the process that ran the command. A portal names itself (`actor="portal"`) or
        passes each request's user as `actor=`. An actor is 1 to 128 characters without
        control characters; the actor is not part of a request id's fingerprint, so a
        retry by another actor replays the first result.

        `busy_timeout` is how many seconds a call waits for the store while another process
        holds it locked, then raises `StoreUnavailable` having written nothing (default: 30
        on SQLite, its busy timeout for the log and the read models; no limit on PostgreSQL,
        where it sets `lock_timeout`, and the insert's table lock waits whole seconds,
        rounded up).

        Raises:
            InvalidInput: `db` is not a store URL pfdo understands (another scheme, a
                `postgresql://` URL naming no database, an in-memory SQLite store, a
                `synchronous=` other than full or normal), or `actor` is empty, longer
                than 128 characters or holds a control character, or `busy_timeout` is not
                a number of seconds 0 or more.
            NoStore: there is no store at `db` and none is created (`create=False`, or
                `read_only=True`).
            StoreUnavailable: the store cannot be opened: the server is unreachable or
                refuses the connection, the folder is missing, the file is not a pfdo store,
                or it may not be written and `read_only=False` was given.
        """
        chosen = None if actor is None else check_actor(actor)
        self._parts = parts = bootstrap(
            db, create=create, read_only=read_only, busy_timeout=check_seconds(busy_timeout)
        )
        self.store, self.read_only = parts.store, parts.read_only
        self.created = parts.created
        """Whether opening this `Ledger` created its store (nothing was there before)."""
        self._engine, self._log, self._timeline = parts.engine, parts.log, parts.timeline
        self._projector = parts.projector
        self._x = Executor(parts, project_after_commands=project_after_commands, actor=chosen)
        self._decode = self._x.decode
        self._billing = BillingRun(self._x, billing_batch)
        self._prolongation = ProlongationRun(self._x, billing_batch)

    @property
    def actor(self) -> str:
        """Who the commands given no `actor=` were asked by (rule 25; see `__init__`)."""
        return self._x.actor

    @property
    def billing_batch(self) -> int:
        """How many contracts a billing run (`bill`) saves in one transaction; settable."""
        return self._billing.batch

    @billing_batch.setter
    def billing_batch(self, size: int) -> None:
        self._billing.batch = size

    @property
    def prolongation_batch(self) -> int:
        """How many contracts a prolongation run (`prolong`) decides and saves in one
        transaction; settable."""
        return self._prolongation.batch

    @prolongation_batch.setter
    def prolongation_batch(self, size: int) -> None:
        self._prolongation.batch = size

    @property
    def project_after_commands(self) -> bool:
        """Whether this `Ledger` folds its own saves into the read models (see `__init__`)."""
        return self._x.project_after_commands

    @property
    def conflicts_retried(self) -> int:
        """How many saves lost an optimistic-concurrency race and were decided again."""
        return self._x.conflicts_retried

    @property
    def requests_replayed(self) -> int:
        """How many commands were answered from their request id's first result, writing
        nothing (an import counts the rows it skipped so).
        """
        return self._x.requests_replayed

    def close(self) -> None:
        """Fold what this `Ledger` wrote and no catch-up has folded yet (an idle moment:
        a failure is logged, the next catch-up anywhere folds it), then close the store.

        Raises no `PfdoError` for the catch-up: its failure is logged, never raised.
        """
        try:
            if self._x.behind and not self.read_only:
                with store_errors(self.store):
                    self._x.catch_up()
        except Exception:
            log.warning(
                "pfdo: the read models did not catch up when the ledger closed; the next "
                "catch-up folds the events left",
                exc_info=True,
            )
        finally:
            self._parts.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def bulk(self, chunk: int = 1000, *, actor: str | None = None) -> Iterator[Ledger]:
        """Run many commands with few transactions: inside the block, commands are decided
        in memory and saved `chunk` at a time, each chunk in one atomic save.

        Results are returned as each command is decided. A refused command raises as usual
        and writes nothing; the block goes on. If the block raises, the commands decided
        since the last save are not written. Inside the block every library error reaches
        the caller as a `PfdoError`, as outside it. A command of the block given no
        `actor=` records `actor` (None: this `Ledger`'s default; an import names its file).

        Raises:
            InvalidInput: `actor` is not an actor (see `__init__`).
            ConcurrencyConflict: a chunk met a concurrent writer and was not written (the
                commands before it were); run the bulk again with request ids.
            StoreUnavailable: the store is busy, unreachable or failing, or read-only.
        """
        chosen = None if actor is None else check_actor(actor)
        with store_errors(self.store), self._x.bulk(chunk, chosen):
            yield self

    def prefetch(self, *, contracts: Iterable[str] = (), request_ids: Iterable[str] = ()) -> None:
        """Inside `bulk()`: load these contracts and the records of these request ids in
        one batch, so that the commands that follow read none of them one at a time (an
        import of many contracts' marks). Outside a bulk it does nothing.

        Raises:
            InvalidInput: `contracts` or `request_ids` is not a list of text, or a request
                id is malformed.
            StoreUnavailable: the store failed while loading (inside the bulk's block).
        """
        ids = [Contract.id_for(code) for code in check_texts(contracts, "contracts")]
        requested = self._x.request_ids(check_texts(request_ids, "request_ids"))
        self._x.prefetch([*ids, *requested])

    def _settle(self) -> None:
        """Make the read models show everything decided so far, bulk included."""
        self._x.settle()

    @translated
    def log_position(self) -> int:
        """The position of the last event in the log (0 for an empty log).

        Raises:
            StoreUnavailable: the store is busy, unreachable or failing.
        """
        return self._log.recorder.max_notification_id() or 0

    @translated
    def catch_up(self) -> int:
        """Fold into the read models whatever the log holds that they do not yet; return
        how many events were folded (on a read-only store: none, 0).

        Raises:
            StoreUnavailable: the store is busy, unreachable or failing.
        """
        return self._x.catch_up()

    @translated
    def read_models_position(self) -> int:
        """The position of the last event the read models and the chain have folded.

        Raises:
            StoreUnavailable: the store is busy, unreachable or failing.
        """
        return self._projector.position()

    @translated
    def wait_for(self, position: int, *, timeout: float = 10.0, poll: float = 0.05) -> bool:
        """Wait until the read models have folded the log up to `position` (a
        `log_position()` another `Ledger` read after its command returned); True when
        they have, False after `timeout` seconds (`poll`: seconds between looks). A
        writable store is caught up here; on a read-only one the wait is for a follower
        elsewhere.

        Raises:
            StoreUnavailable: the store is busy, unreachable or failing.
        """
        deadline = time.monotonic() + timeout
        while True:
            if not self.read_only and self._projector.position() < position:
                self._x.catch_up()
            if self._projector.position() >= position:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(poll)

    def read_models_behind(self) -> int:
        """How many events of the log the read models lack (0 unless read-only).

        Unlike the other methods, this one does not translate the errors of the libraries
        under pfdo: a failing store reaches the caller as the database library's error, not
        as `StoreUnavailable`.
        """
        return self._projector.behind()

    @translated
    def follow(
        self,
        *,
        poll: float = 1.0,
        stop: Callable[[], bool] = lambda: False,
        on_fold: Callable[[int], None] | None = None,
    ) -> int:
        """Keep the read models level with the log until `stop()` is true (a projection
        worker beside the portals); return how many events were folded.

        `poll` is the seconds between looks at the log (on PostgreSQL a notification wakes
        the worker sooner); `on_fold(n)` is called after each batch of `n` events folded.

        Raises:
            StoreUnavailable: the store is busy, unreachable or failing.
        """
        channel = getattr(self._log.recorder, "channel_name", None)
        return follow(self._x.catch_up, self.store, channel, poll=poll, stop=stop, on_fold=on_fold)

    @translated
    def auditor(self) -> Auditor:
        """The auditor's toolkit on this store (`pfdo.audit.auditor.Auditor`): verify,
        checkpoint, export, explain; the read models and the chain are first brought level
        with the log, as before a report. (`Auditor.open` folds nothing.)

        Raises:
            StoreUnavailable: the store is busy, unreachable or failing.
        """
        self._settle()
        from pfdo.audit.auditor import Auditor

        return Auditor(self._log, self._engine, self.store)

    @translated
    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> res.Rebuilt:
        """Empty every read model and fold the whole log again (without catching up
        first: a rebuild repairs read models that a catch-up cannot fold into).
        `progress(done, total)` is called as events are folded.

        Raises:
            StoreUnavailable: the store is busy, unreachable or failing, or read-only.
        """
        report = self._projector.rebuild(progress)
        return res.Rebuilt(events=report.events, seconds=round(report.seconds, 3))

    # -- periods -------------------------------------------------------------------------

    @translated
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
        actor: str | None = None,
    ) -> res.PeriodOpened:
        """Open a municipality's period with its categories (rule 2): each a mapping of
        `nominal`, optional `count` and `sum` limits, and `unit` (`"rub"`, the default, or
        `"hours"` for social certificates, rule 21). The municipality is registered with
        its first period.

        Raises:
            InvalidInput: an argument is malformed (an identifier, amount, date or month
            out of form, a business date `on` more than 366 days after today, a `request_id`
            out of form; a value of the wrong type; None where a value is required);
            raised before anything is read or written, naming the fields (`.fields`).
            AlreadyExists: the period exists already.
            Overlap: the period overlaps another period of the municipality.
            IdempotencyConflict: `request_id` was used before with other arguments (the
            same arguments return the first result again and write nothing).
            ConcurrencyConflict: other writers kept changing the same records and the
            retries ran out; nothing was written, the call may be repeated.
            StoreUnavailable: the store is busy, unreachable or failing, or was opened
            read-only.
        """
        command = cmd.OpenPeriod.build(
            period=period,
            municipality=municipality,
            start=start,
            end=end,
            categories=categories,
            on=on,
            actor=actor,
        )
        return self._x.execute(command, request_id, res.PeriodOpened, periods.open_period)

    @translated
    def close_period(
        self,
        period: str,
        *,
        on: date | str | None = None,
        request_id: str | None = None,
        actor: str | None = None,
        signing_key: SigningKey | None = None,
    ) -> res.PeriodClosed:
        """Close a period: every month billed or cancelled; available money expires (rule 12).

        Then a checkpoint of the log is recorded, once per period, signed with
        `signing_key` when one is given (`pfdo.audit.keys.load_signing_key`; the CLI loads
        the file `PFDO_AUDIT_KEY` names, refusing the close before it is written when it
        cannot). A checkpoint that fails is logged, not raised: the close is committed.

        Raises:
            InvalidInput: an argument is malformed (an identifier, amount, date or month
            out of form, a business date `on` more than 366 days after today, a `request_id`
            out of form; a value of the wrong type; None where a value is required);
            raised before anything is read or written, naming the fields (`.fields`).
            NotFound: the period does not exist.
            PeriodClosed: the period is closed already.
            Refused: the business date is before the period's end, or contract months are
            neither billed nor cancelled, or money is still reserved.
            IdempotencyConflict: `request_id` was used before with other arguments (the
            same arguments return the first result again and write nothing).
            ConcurrencyConflict: other writers kept changing the same records and the
            retries ran out; nothing was written, the call may be repeated.
            StoreUnavailable: the store is busy, unreachable or failing, or was opened
            read-only.
        """
        command = cmd.ClosePeriod.build(period=period, on=on, actor=actor)
        result = self._x.execute(command, request_id, res.PeriodClosed, periods.close_period)
        try:
            self._settle()
            self.auditor().record_close_checkpoint(command.period, signing_key)
        except Exception:  # the close is committed: it must not look refused
            log.warning(
                "pfdo: period %s is closed, but its checkpoint was not recorded; take one "
                "with `pfdo audit checkpoint`",
                command.period,
                exc_info=True,
            )
        return result

    @translated
    def change_nominal(
        self,
        period: str,
        *,
        category: str,
        nominal: str | int,
        on: date | str | None = None,
        request_id: str | None = None,
        actor: str | None = None,
    ) -> res.NominalChanged:
        """Raise or lower a category's nominal on every certificate funded in it (rule 13);
        a lowered nominal's room serves the category's waiting list.

        Raises:
            InvalidInput: an argument is malformed (an identifier, amount, date or month
            out of form, a business date `on` more than 366 days after today, a `request_id`
            out of form; a value of the wrong type; None where a value is required);
            raised before anything is read or written, naming the fields (`.fields`).
            NotFound: the period does not exist, or has no such category.
            PeriodClosed: the period is closed.
            LimitExceeded: the funded certificates at the new nominal would exceed the
            category's sum limit.
            Refused: the nominal is not above zero, or a lowered nominal would take back
            money a certificate has reserved or spent.
            IdempotencyConflict: `request_id` was used before with other arguments (the
            same arguments return the first result again and write nothing).
            ConcurrencyConflict: other writers kept changing the same records and the
            retries ran out; nothing was written, the call may be repeated.
            StoreUnavailable: the store is busy, unreachable or failing, or was opened
            read-only.
        """
        command = cmd.ChangeNominal.build(
            period=period, category=category, nominal=nominal, on=on, actor=actor
        )
        return self._x.execute(command, request_id, res.NominalChanged, periods.change_nominal)

    # -- providers and programs ------------------------------------------------------

    @translated
    def add_provider(
        self,
        provider: str,
        *,
        name: str,
        kind: str = "private",
        on: date | str | None = None,
        request_id: str | None = None,
        actor: str | None = None,
    ) -> res.ProviderResult:
        """Admit a provider to the registry (rule 4); `kind` is `municipal`, `private` or
        `sole-trader`.

        Raises:
            InvalidInput: an argument is malformed (an identifier, amount, date or month
            out of form, a business date `on` more than 366 days after today, a `request_id`
            out of form; a value of the wrong type; None where a value is required);
            raised before anything is read or written, naming the fields (`.fields`).
            AlreadyExists: the provider exists already.
            IdempotencyConflict: `request_id` was used before with other arguments (the
            same arguments return the first result again and write nothing).
            ConcurrencyConflict: other writers kept changing the same records and the
            retries ran out; nothing was written, the call may be repeated.
            StoreUnavailable: the store is busy, unreachable or failing, or was opened
            read-only.
        """
        command = cmd.AddProvider.build(provider=provider, name=name, kind=kind, on=on, actor=actor)
        return self._x.execute(command, request_id, res.ProviderResult, registry.add_provider)

    @translated
    def exclude_provider(
        self,
        provider: str,
        *,
        on: date | str | None = None,
        request_id: str | None = None,
        actor: str | None = None,
    ) -> res.ProviderResult:
        """Exclude a provider from the registry: its programs take no new contracts.

        Raises:
            InvalidInput: an argument is malformed (an identifier, amount, date or month
            out of form, a business date `on` more than 366 days after today, a `request_id`
            out of form; a value of the wrong type; None where a value is required);
            raised before anything is read or written, naming the fields (`.fields`).
            NotFound: the provider does not exist.
            Refused: the provider is excluded already.
            IdempotencyConflict: `request_id` was used before with other arguments (the
            same arguments return the first result again and write nothing).
            ConcurrencyConflict: other writers kept changing the same records and the
            retries ran out; nothing was written, the call may be repeated.
            StoreUnavailable: the store is busy, unreachable or failing, or was opened
            read-only.
        """
        command = cmd.ExcludeProvider.build(provider=provider, on=on, actor=actor)
        return self._x.execute(command, request_id, res.ProviderResult, registry.exclude_provider)

    @translated
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
        normative_price: str | int | None = None,
        hours_per_month: str | int | None = None,
        hour_cost: str | int | None = None,
        prolongation: bool = True,
        on: date | str | None = None,
        request_id: str | None = None,
        actor: str | None = None,
    ) -> res.ProgramResult:
        """Add a provider's program with its monthly price and age band (rule 4), and
        optionally the normative monthly cost that caps the certificate's share (rule 15)
        and, for social certificates, the person-hours it gives a month and the normative
        cost of a person-hour (rule 21: both or neither). `capacity`: contracts active at
        once, at most. `prolongation`: whether its contracts are prolonged into later
        periods (rule 23; `program_settings` changes it).

        Raises:
            InvalidInput: an argument is malformed (an identifier, amount, date or month
            out of form, a business date `on` more than 366 days after today, a `request_id`
            out of form; a value of the wrong type; None where a value is required);
            raised before anything is read or written, naming the fields (`.fields`).
            AlreadyExists: the program exists already.
            NotFound: the provider does not exist.
            Refused: the provider is excluded, a price or cost is not above zero, or the
            age band is empty.
            IdempotencyConflict: `request_id` was used before with other arguments (the
            same arguments return the first result again and write nothing).
            ConcurrencyConflict: other writers kept changing the same records and the
            retries ran out; nothing was written, the call may be repeated.
            StoreUnavailable: the store is busy, unreachable or failing, or was opened
            read-only.
        """
        command = cmd.AddProgram.build(
            program=program,
            provider=provider,
            title=title,
            monthly_price=monthly_price,
            min_age=min_age,
            max_age=max_age,
            capacity=capacity,
            normative_price=normative_price,
            hours_per_month=hours_per_month,
            hour_cost=hour_cost,
            on=on,
            actor=actor,
            # a program prolonged (the default) leaves the field out of the fingerprint
            **({} if prolongation is True else {"prolongation": prolongation}),
        )
        return self._x.execute(command, request_id, res.ProgramResult, registry.add_program)

    @translated
    def withdraw_program(
        self,
        program: str,
        *,
        on: date | str | None = None,
        request_id: str | None = None,
        actor: str | None = None,
    ) -> res.ProgramResult:
        """Withdraw a program: it takes no new contracts; running ones go on.

        Raises:
            InvalidInput: an argument is malformed (an identifier, amount, date or month
            out of form, a business date `on` more than 366 days after today, a `request_id`
            out of form; a value of the wrong type; None where a value is required);
            raised before anything is read or written, naming the fields (`.fields`).
            NotFound: the program does not exist.
            Refused: the program is withdrawn already.
            IdempotencyConflict: `request_id` was used before with other arguments (the
            same arguments return the first result again and write nothing).
            ConcurrencyConflict: other writers kept changing the same records and the
            retries ran out; nothing was written, the call may be repeated.
            StoreUnavailable: the store is busy, unreachable or failing, or was opened
            read-only.
        """
        command = cmd.WithdrawProgram.build(program=program, on=on, actor=actor)
        return self._x.execute(command, request_id, res.ProgramResult, registry.withdraw_program)

    @translated
    def program_settings(
        self,
        program: str,
        *,
        prolongation: bool,
        on: date | str | None = None,
        request_id: str | None = None,
        actor: str | None = None,
    ) -> res.ProgramSettings:
        """Turn prolongation of a program's contracts on or off (rule 23): with it off, a
        prolongation run gives its contracts no successor. Already so: nothing changes.

        Raises:
            InvalidInput: an argument is malformed (an identifier or date out of form, a
            business date `on` more than 366 days after today, a `request_id` that is not
            an identifier); raised before anything is read or written.
            NotFound: the program does not exist.
            IdempotencyConflict: `request_id` was used before with other arguments.
            ConcurrencyConflict: other writers kept changing the same records and the
            retries ran out; nothing was written, the call may be repeated.
            StoreUnavailable: the store is busy, unreachable or failing, or was opened
            read-only.
        """
        command = cmd.SetProlongation.build(
            program=program, prolongation=prolongation, on=on, actor=actor
        )
        return self._x.execute(command, request_id, res.ProgramSettings, registry.set_prolongation)

    # -- certificates -----------------------------------------------------------------

    @translated
    def issue_certificate(
        self,
        *,
        child: str,
        birth_date: date | str,
        municipality: str,
        number: str | None = None,
        on: date | str | None = None,
        request_id: str | None = None,
        actor: str | None = None,
    ) -> res.CertificateIssued:
        """Issue a child's (accounting) certificate (rule 1). Without `number`, a 10-digit
        number is derived from the child id, so replays are deterministic.

        Raises:
            InvalidInput: an argument is malformed (an identifier, amount, date or month
            out of form, a business date `on` more than 366 days after today, a `request_id`
            out of form; a value of the wrong type; None where a value is required);
            raised before anything is read or written, naming the fields (`.fields`).
            AlreadyExists: the child has a certificate already (in any municipality), or
            the `number` given is taken.
            Age: the child is not aged 5 to 17 on the business date.
            IdempotencyConflict: `request_id` was used before with other arguments (the
            same arguments return the first result again and write nothing).
            ConcurrencyConflict: other writers kept changing the same records and the
            retries ran out; nothing was written, the call may be repeated.
            StoreUnavailable: the store is busy, unreachable or failing, or was opened
            read-only.
        """
        command = cmd.IssueCertificate.build(
            child=child,
            birth_date=birth_date,
            municipality=municipality,
            number=number,
            on=on,
            actor=actor,
        )
        return self._x.execute(
            command, request_id, res.CertificateIssued, certificates.issue_certificate
        )

    @translated
    def fund_certificate(
        self,
        number: str,
        *,
        period: str,
        category: str,
        queue: bool = False,
        on: date | str | None = None,
        request_id: str | None = None,
        actor: str | None = None,
    ) -> res.CertificateFunded | res.CertificateQueued:
        """Credit a period's nominal to a certificate (rule 3); with `queue`, a funding
        refused only by the category's count or sum limit joins its waiting list instead
        and says at which position (rule 19).

        Returns:
            `CertificateFunded`, or `CertificateQueued` when queued.

        Raises:
            InvalidInput: an argument is malformed (an identifier, amount, date or month
            out of form, a business date `on` more than 366 days after today, a `request_id`
            out of form; a value of the wrong type; None where a value is required);
            raised before anything is read or written, naming the fields (`.fields`).
            NotFound: the certificate or the period does not exist.
            PeriodClosed: the period is closed.
            AlreadyExists: the certificate is funded for the period already, or (with
            `queue`) waits in one of its lists already.
            LimitExceeded: the category's count or sum limit is reached (without `queue`).
            NotFound: the period has no such category.
            Age: the child is 18 or older at the period's start.
            Refused: the certificate belongs to another municipality.
            IdempotencyConflict: `request_id` was used before with other arguments (the
            same arguments return the first result again and write nothing).
            ConcurrencyConflict: other writers kept changing the same records and the
            retries ran out; nothing was written, the call may be repeated.
            StoreUnavailable: the store is busy, unreachable or failing, or was opened
            read-only.
        """
        command = cmd.FundCertificate.build(
            number=number, period=period, category=category, queue=queue, on=on, actor=actor
        )
        outcome = self._x.execute(command, request_id, res.Funding, funding.fund_certificate)
        return outcome.root

    # -- contracts --------------------------------------------------------------------

    @translated
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
        actor: str | None = None,
    ) -> res.Enrolment:
        """Enrol a child in a program and reserve the certificate's share (rules 5-8).
        `mode` is `fixed` (a month's price) or `attendance` (paid by lessons attended).
        An `end` after the period's end (at most 366 days after it) ends the contract on
        the period's end and records `continues_until` (rule 23).

        Raises:
            InvalidInput: an argument is malformed (an identifier, amount, date or month
            out of form, a business date `on` more than 366 days after today, a `request_id`
            out of form; a value of the wrong type; None where a value is required);
            raised before anything is read or written, naming the fields (`.fields`).
            The `end` before the `start` is `InvalidInput` too.
            NotFound: the certificate, the program or its provider does not exist.
            PeriodClosed: the period holding the contract is closed.
            Capacity: the program is at capacity on a day of the contract (a
            `LimitExceeded`).
            Age: the child's age is outside the program's band, or the child turns 18 by
            the contract's end.
            Overlap: the certificate has a contract in the program overlapping these dates
            (rule 14).
            NotFunded: the certificate is not funded for the period.
            InsufficientHours: a certificate in hours has fewer hours available than the
            contract needs (rule 21).
            Refused: the dates are outside every period of the certificate's municipality
            or more than 366 days after the period's end, or the program or its provider
            does not accept contracts.
            IdempotencyConflict: `request_id` was used before with other arguments (the
            same arguments return the first result again and write nothing).
            ConcurrencyConflict: other writers kept changing the same records and the
            retries ran out; nothing was written, the call may be repeated.
            StoreUnavailable: the store is busy, unreachable or failing, or was opened
            read-only.
        """
        command = cmd.Enrol.build(
            number=number, program=program, start=start, end=end, mode=mode, on=on, actor=actor
        )
        return self._x.execute(command, request_id, res.Enrolment, contracts.enroll)

    @translated
    def record_attendance(
        self,
        contract: str,
        *,
        dates: Sequence[date | str],
        present: bool = True,
        on: date | str | None = None,
        request_id: str | None = None,
        actor: str | None = None,
    ) -> res.AttendanceRecorded:
        """Record lessons of a contract as present (or absent) (rule 8); the result says how
        many lessons were recorded.

        Raises:
            InvalidInput: an argument is malformed (an identifier, amount, date or month
            out of form, a business date `on` more than 366 days after today, a `request_id`
            out of form; a value of the wrong type; None where a value is required);
            raised before anything is read or written, naming the fields (`.fields`).
            NotFound: the contract does not exist.
            PeriodClosed: the contract's period is closed.
            Refused: a lesson date is after the business date or outside the contract's
            dates, or its month is billed or cancelled already.
            IdempotencyConflict: `request_id` was used before with other arguments (the
            same arguments return the first result again and write nothing).
            ConcurrencyConflict: other writers kept changing the same records and the
            retries ran out; nothing was written, the call may be repeated.
            StoreUnavailable: the store is busy, unreachable or failing, or was opened
            read-only.
        """
        command = cmd.RecordAttendance.build(
            contract=contract, dates=dates, present=present, on=on, actor=actor
        )
        return self._x.execute(
            command, request_id, res.AttendanceRecorded, contracts.record_attendance
        )

    @translated
    def terminate(
        self,
        contract: str,
        *,
        reason: str = "",
        on: date | str | None = None,
        request_id: str | None = None,
        actor: str | None = None,
    ) -> res.Termination:
        """Terminate a contract on the business date; later months are released (rule 10).

        Raises:
            InvalidInput: an argument is malformed (an identifier, amount, date or month
            out of form, a business date `on` more than 366 days after today, a `request_id`
            out of form; a value of the wrong type; None where a value is required);
            raised before anything is read or written, naming the fields (`.fields`).
            NotFound: the contract does not exist.
            PeriodClosed: the contract's period is closed.
            Refused: the contract is terminated or ended already, the business date is
            before its enrolment, or a later month is billed already.
            IdempotencyConflict: `request_id` was used before with other arguments (the
            same arguments return the first result again and write nothing).
            ConcurrencyConflict: other writers kept changing the same records and the
            retries ran out; nothing was written, the call may be repeated.
            StoreUnavailable: the store is busy, unreachable or failing, or was opened
            read-only.
        """
        command = cmd.Terminate.build(contract=contract, reason=reason, on=on, actor=actor)
        return self._x.execute(command, request_id, res.Termination, contracts.terminate)

    @translated
    def prolong(
        self,
        *,
        period: str,
        on: date | str | None = None,
        request_id: str | None = None,
        progress: Callable[[int, int], None] | None = None,
        actor: str | None = None,
    ) -> res.ProlongationRun:
        """Prolong into `period` every contract that continues into it (rule 23): each
        gets one successor, priced, shared and reserved as an enrolment on `on`, or is
        listed with the first reason it is not prolonged. Runs in atomic batches: an
        interrupted run leaves each contract prolonged or not, and running it again
        prolongs only what is left. `progress(done, total)` is called after each batch.

        Raises:
            InvalidInput: an argument is malformed (a code or date out of form, a
            business date `on` more than 366 days after today, a `request_id` that is not
            an identifier); raised before anything is read or written.
            NotFound: the period does not exist.
            PeriodClosed: the period is closed.
            Refused: the business date is after the period's end.
            IdempotencyConflict: `request_id` was used before with other arguments (the
            same arguments return the first result again and write nothing).
            ConcurrencyConflict: other writers kept changing the same contracts and the
            retries ran out; earlier batches were saved, the run may be repeated.
            StoreUnavailable: the store is busy, unreachable or failing, or was opened
            read-only.
        """
        command = cmd.Prolong.build(period=period, on=on, actor=actor)
        self._settle()  # the contracts to prolong are found in the read models
        with self._x.outside_bulk():  # a prolongation run batches on its own
            return self._prolongation.prolong(command, request_id, progress)

    @translated
    def stop_continuation(
        self,
        contract: str,
        *,
        on: date | str | None = None,
        request_id: str | None = None,
        actor: str | None = None,
    ) -> res.ContinuationStopped:
        """The family's refusal to continue a contract into the next period: its
        `continues_until` is cleared (rule 23).

        Raises:
            InvalidInput: an argument is malformed (an identifier or date out of form, a
            business date `on` more than 366 days after today, a `request_id` that is not
            an identifier); raised before anything is read or written.
            NotFound: the contract does not exist.
            Refused: the contract does not continue beyond its end, or it was prolonged
            already.
            IdempotencyConflict: `request_id` was used before with other arguments.
            ConcurrencyConflict: other writers kept changing the same records and the
            retries ran out; nothing was written, the call may be repeated.
            StoreUnavailable: the store is busy, unreachable or failing, or was opened
            read-only.
        """
        command = cmd.StopContinuation.build(contract=contract, on=on, actor=actor)
        return self._x.execute(
            command, request_id, res.ContinuationStopped, contracts.stop_continuation
        )

    @translated
    def correct(
        self,
        contract: str,
        *,
        month: str,
        refund: str | int,
        reason: str,
        on: date | str | None = None,
        request_id: str | None = None,
        actor: str | None = None,
    ) -> res.Correction:
        """Refund part or all of a month's charge to the certificate (rule 11); `refund` in
        rubles (or hours for a contract in hours), `reason` required.

        Raises:
            InvalidInput: an argument is malformed (an identifier, amount, date or month
            out of form, a business date `on` more than 366 days after today, a `request_id`
            out of form; a value of the wrong type; None where a value is required);
            raised before anything is read or written, naming the fields (`.fields`).
            NotFound: the contract does not exist, or has no such month.
            PeriodClosed: the contract's period is closed.
            Refused: the month is not billed, the refund is not above zero or exceeds
            what is left of the charge, or the business date is before the billing.
            IdempotencyConflict: `request_id` was used before with other arguments (the
            same arguments return the first result again and write nothing).
            ConcurrencyConflict: other writers kept changing the same records and the
            retries ran out; nothing was written, the call may be repeated.
            StoreUnavailable: the store is busy, unreachable or failing, or was opened
            read-only.
        """
        command = cmd.Correct.build(
            contract=contract, month=month, refund=refund, reason=reason, on=on, actor=actor
        )
        return self._x.execute(command, request_id, res.Correction, contracts.correct)

    # -- billing ---------------------------------------------------------------------

    @translated
    def bill(
        self,
        month: str,
        *,
        on: date | str | None = None,
        request_id: str | None = None,
        actor: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> res.BillingRun:
        """Bill month `month` for every contract (rule 9), in atomic batches.

        Each batch of contracts is saved with their certificates in one transaction, so an
        interrupted run leaves whole months billed or not; running again bills the rest.
        `progress(done, total)` is called after each batch.

        Raises:
            InvalidInput: an argument is malformed (an identifier, amount, date or month
            out of form, a business date `on` more than 366 days after today, a `request_id`
            out of form; a value of the wrong type; None where a value is required);
            raised before anything is read or written, naming the fields (`.fields`).
            Refused: the month may not be billed yet: the business date is before the
            next month's first day and no period bills its last month early (rule 18).
            IdempotencyConflict: `request_id` was used before with other arguments (the
            same arguments return the first result again and write nothing).
            ConcurrencyConflict: other writers kept changing the same records and the
            retries ran out; nothing was written, the call may be repeated.
            StoreUnavailable: the store is busy, unreachable or failing, or was opened
            read-only.
        """
        command = cmd.BillMonth.build(month=month, on=on, actor=actor)
        self._settle()  # the contracts to bill are found in the read models
        with self._x.outside_bulk():  # a billing run batches on its own
            return self._billing.bill(command, request_id, progress)
