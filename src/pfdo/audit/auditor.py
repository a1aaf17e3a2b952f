"""The auditor's entry point on one store: verify, checkpoint, export, explain.

`Auditor.open(db)` opens a store as a `Ledger` does (`pfdo.application.bootstrap`), folding
nothing into it, so that `verify` sees the store exactly as it is. `Ledger.auditor()` gives
an auditor on a ledger's own store. Replaying an export needs no store at all: see
`pfdo.audit.replay`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Engine

from pfdo.application.bootstrap import bootstrap
from pfdo.application.failures import translated
from pfdo.audit import audit_results as res
from pfdo.audit import checkpoint as cp
from pfdo.audit.explain import explain
from pfdo.audit.export import export
from pfdo.audit.keys import SigningKey, load_public_key
from pfdo.audit.verify import Sourced, VerifyRun
from pfdo.projections.chain import EventHasher, load_secret
from pfdo.storage.store import EventLog, StoreURL

CheckpointSource = cp.Checkpoint | Path | str


class Auditor:
    """Audits one store: its log, its chain, its checkpoints and its read models.

    Get one with `Ledger.auditor()` (on the ledger's store, caught up first) or
    `Auditor.open(db)` (folding nothing, so that `verify` sees the store exactly as it
    is); use it as a context manager or `close()` it. What an audit finds wrong is
    reported in its result (`problems`), not raised. docs/AUDIT.md is the auditor's
    manual.
    """

    def __init__(
        self, log: EventLog, engine: Engine, store: StoreURL, *, owned: bool = False
    ) -> None:
        """The toolkit on an open log and engine; `store` names it in errors: every error of
        the libraries under pfdo reaches the caller as a `PfdoError`
        (`pfdo.application.failures`)."""
        self._log, self._engine, self._owned = log, engine, owned
        self.store = store

    @classmethod
    def open(
        cls, db: str | None = None, *, create: bool = True, read_only: bool | None = None
    ) -> Auditor:
        """Open a store for auditing, folding nothing: `db`, `create` and `read_only` as for a
        `Ledger` (`create=False`: an existing store only, else `NoStore`).

        Raises:
            InvalidInput: `db` is not a store URL pfdo understands.
            NoStore: there is no store at `db` and none is created.
            StoreUnavailable: the store cannot be opened (unreachable, refused, not a pfdo
                store, or not writable when `read_only=False`).
        """
        parts = bootstrap(db, create=create, read_only=read_only)
        return cls(parts.log, parts.engine, parts.store, owned=True)

    def close(self) -> None:
        """Close the store if this auditor opened it (`Auditor.open`); an auditor from
        `Ledger.auditor()` leaves the ledger's store open. Raises no `PfdoError`.
        """
        if self._owned:
            self._log.close()
            self._engine.dispose()

    def __enter__(self) -> Auditor:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @translated
    def verify(
        self,
        checkpoints: Sequence[CheckpointSource] = (),
        public_key: bytes | Path | str | None = None,
    ) -> res.Verification:
        """Recompute the chain, check every checkpoint, refold and compare every read
        model and check every invariant; `ok` when nothing is wrong.

        `checkpoints` are checked besides those kept in the store: `Checkpoint`s or paths
        of checkpoint files; `public_key` (raw Ed25519 bytes, or the path of a PEM file)
        is the key their signatures must verify with.

        Raises:
            InvalidInput: a checkpoint file cannot be read or is not a pfdo checkpoint, or
                the public key file is not a PEM Ed25519 public key.
            StoreUnavailable: the store is busy, unreachable or failing.
        """
        given = [_sourced(c) for c in checkpoints]
        trusted = (
            load_public_key(Path(public_key)) if isinstance(public_key, Path | str) else public_key
        )
        with self._engine.connect() as connection:
            if connection.dialect.name == "postgresql":  # one snapshot of every table
                connection = connection.execution_options(isolation_level="REPEATABLE READ")
            secret = load_secret(connection, self._log.mapper.cipher)
            stored = [Sourced(s, c, True) for s, c in cp.recorded(connection)]
            run = VerifyRun(self._log, connection, EventHasher(self._log, secret), trusted)
            found = run.run([*stored, *given])
        problems = found.problems.listed()
        return res.Verification(
            ok=not problems,
            events=found.events,
            problems=problems,
            warnings=found.warnings,
            head=res.Head(position=found.head[0], hash=found.head[1].hex()),
            chained=found.chained,
            folded=found.folded,
            checkpoints=found.checkpoints,
        )

    @translated
    def checkpoint(
        self, key: SigningKey | None = None, *, reason: str = "requested"
    ) -> cp.Checkpoint:
        """A checkpoint of the chain as it stands, signed with `key` (see
        `pfdo.audit.keys.load_signing_key`) when given, kept in the store; `reason` is
        recorded with it.

        Raises:
            StoreUnavailable: the store is busy, unreachable or failing, or read-only.
        """
        return cp.record(self._engine, reason, key, once=False)

    @translated
    def checkpoints(self) -> list[cp.Checkpoint]:
        """The checkpoints kept in the store, oldest first.

        Raises:
            StoreUnavailable: the store is busy, unreachable or failing.
        """
        with self._engine.connect() as connection:
            return [checkpoint for _, checkpoint in cp.recorded(connection)]

    @translated
    def record_close_checkpoint(self, period: str, key: SigningKey | None) -> cp.Checkpoint:
        """The checkpoint of a period close: one per period, however often retried
        (`Ledger.close_period` records it).

        Raises:
            StoreUnavailable: the store is busy, unreachable or failing, or read-only.
        """
        return cp.record(self._engine, f"period {period} closed", key, once=True)

    @translated
    def export(
        self,
        out: Path | str,
        *,
        period: str | None = None,
        certificate: str | None = None,
        personal_data: bool = False,
    ) -> res.Exported:
        """Write the log, or the part of it for a period or a certificate, as JSON Lines to
        `out` (written to a temporary file beside it, then renamed). Personal fields are
        commitments; with `personal_data`, each value and its nonce are written too. The
        export replays on its own (`pfdo.audit.replay`).

        Raises:
            NotFound: the `period` or `certificate` given does not occur in the log.
            Refused: the log does not match its chain (run `verify`); nothing is exported.
            StoreUnavailable: the store is busy, unreachable or failing.
            OSError: `out` cannot be written (not a `PfdoError`).
        """
        return export(
            self._log,
            self._engine,
            Path(out),
            res.Scope(period=period, certificate=certificate),
            personal_data=personal_data,
        )

    @translated
    def explain(self, number: str, *, period: str) -> res.Explanation:
        """Every kopeck of a certificate's balance for a period, traced to its events.

        Raises:
            NotFound: the certificate is not funded for the period (or either does not
                exist).
            StoreUnavailable: the store is busy, unreachable or failing.
        """
        return explain(self._log, self._engine, number, period)


def _sourced(source: CheckpointSource) -> Sourced:
    if isinstance(source, cp.Checkpoint):
        return Sourced("checkpoint", source, False)
    return Sourced(str(source), cp.read_file(Path(source)), False)
