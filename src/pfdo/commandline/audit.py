"""`pfdo audit ...`: the auditor's commands, a thin layer over `pfdo.audit` (see
docs/AUDIT.md). `pfdo.cli` adds this group to the `pfdo` command.

Each command parses, calls the toolkit once and prints, like every pfdo command: one
JSON document with `--json`. Errors as everywhere: malformed input exits 2, a refusal 1,
each with one line `Error: ...`. `verify` and `replay` print their findings and exit 1
when anything is wrong. `verify` opens the store without folding anything into it;
`keygen` and `replay` open no store at all. Only `checkpoint` writes to the store; the
others never create one (`pfdo.commandline.session`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from pfdo.audit import audit_results as res
from pfdo.audit import checkpoint as cp
from pfdo.audit.keys import KEY_ENV, generate, load_public_key, load_signing_key
from pfdo.audit.replay import replay
from pfdo.commandline import rendering as cli_format
from pfdo.commandline.session import Session, emit, json_option, opens_store, refusals

F = TypeVar("F", bound=Callable[..., Any])
FILE = click.Path(dir_okay=False, path_type=Path)
EXISTING = click.Path(exists=True, dir_okay=False, path_type=Path)


def _emit_findings(result: res.Verification | res.Replayed, as_json: bool) -> None:
    """Print the findings; exit 1 when anything is wrong."""
    if as_json:
        emit(result, as_json)
    else:
        click.echo(findings_text(result))
    if not result.ok:
        click.echo(f"Error: the audit found {len(result.problems)} problem(s)", err=True)
        raise click.exceptions.Exit(1)


def _checkpoints(f: F) -> F:
    f = click.option(
        "--public-key",
        type=EXISTING,
        metavar="FILE",
        help="The operator's public key (PEM): every checkpoint file must be signed with it.",
    )(f)
    return click.option(
        "--checkpoint",
        "checkpoints",
        type=EXISTING,
        multiple=True,
        metavar="FILE",
        help="A checkpoint to check; repeat for more.",
    )(f)


def findings_text(result: res.Verification | res.Replayed) -> str:
    """A verification or replay for people: a verdict line, then the details."""
    if result.ok:
        verdict = f"OK: {result.events} events checked, no problem found"
    else:
        verdict = f"NOT OK: {len(result.problems)} problem(s) in {result.events} events"
    return f"{verdict}\n{cli_format.as_text(result)}"


def explanation_text(result: res.Explanation) -> str:
    """A trace for people: a verdict line, then the columns, contracts and movements."""
    where = f"certificate {result.number}, period {result.period} (category {result.category})"
    if result.ok:
        verdict = f"{where}: every kopeck of the balance is traced to its events"
    else:
        verdict = f"{where}: the trace found {len(result.problems)} problem(s)"
    return f"{verdict}\n{cli_format.as_text(result)}"


@click.group()
def audit() -> None:
    """Prove the log unaltered, and check, export, replay and explain it."""


@audit.command()
@click.option("--out", required=True, type=FILE, help="Private key file (FILE.pub: public).")
@json_option
def keygen(out: Path, as_json: bool) -> None:
    """Make an Ed25519 key pair for signing checkpoints."""
    with refusals():
        private, public, key_id = generate(out)
    emit(res.KeyPair(private_key=str(private), public_key=str(public), key_id=key_id), as_json)


@audit.command()
@click.option(
    "--key",
    type=EXISTING,
    envvar=KEY_ENV,
    metavar="FILE",
    help=f"Sign with this private key (PEM) [env {KEY_ENV}].",
)
@click.option("--out", type=FILE, help="Also write the checkpoint to this file.")
@json_option
@opens_store("maintain")
@click.pass_obj
def checkpoint(session: Session, /, key: Path | None, out: Path | None, as_json: bool) -> None:
    """Record a checkpoint of the log: position, chain head, time, signature."""
    with refusals():
        signing_key = load_signing_key(key) if key is not None else None
    taken = session.call(lambda ledger: ledger.auditor().checkpoint(signing_key))
    if out is not None:
        cp.write_file(out, taken)
    emit(res.CheckpointDocument(**taken.document()), as_json)


@audit.command()
@_checkpoints
@json_option
@click.pass_obj
def verify(
    session: Session, /, checkpoints: tuple[Path, ...], public_key: Path | None, as_json: bool
) -> None:
    """Recompute the chain and every read model from the log and check every invariant."""
    result = session.audit(lambda auditor: auditor.verify(checkpoints, public_key))
    _emit_findings(result, as_json)


@audit.command()
@click.option("--period", metavar="PERIOD", help="Only the part of the log for this period.")
@click.option("--certificate", metavar="NUMBER", help="Only this certificate's part.")
@click.option(
    "--with-personal-data",
    "personal_data",
    is_flag=True,
    help="Include children's ids and birth dates (152-ФЗ: only when entitled).",
)
@click.option("--out", required=True, type=FILE, help="The JSON Lines file to write.")
@json_option
@click.pass_obj
def export(session: Session, /, out: Path, as_json: bool, **options: Any) -> None:
    """Write the log (or a period's or certificate's part) as JSON Lines, with its hashes."""
    result = session.call(lambda ledger: ledger.auditor().export(out, **options))
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)
    emit(result, as_json)


@audit.command("replay")
@click.argument("file", type=EXISTING)
@click.option("--certificate", metavar="NUMBER", help="Also print this certificate's history.")
@_checkpoints
@json_option
def replay_command(
    file: Path,
    certificate: str | None,
    checkpoints: tuple[Path, ...],
    public_key: Path | None,
    as_json: bool,
) -> None:
    """Check an export's hashes and rebuild balances and registers from it alone."""
    with refusals():
        given = [cp.read_file(path) for path in checkpoints]
        trusted = load_public_key(public_key) if public_key is not None else None
        result = replay(file, given, trusted, certificate)
    _emit_findings(result, as_json)


@audit.command()
@click.argument("number")
@click.option("--period", required=True, metavar="PERIOD")
@json_option
@click.pass_obj
def explain(session: Session, /, number: str, period: str, as_json: bool) -> None:
    """Trace every kopeck of a certificate's balance for a period to its events."""
    result = session.call(lambda ledger: ledger.auditor().explain(number, period=period))
    click.echo(cli_format.as_json(result) if as_json else explanation_text(result))
    if not result.ok:
        click.echo(f"Error: the trace found {len(result.problems)} problem(s)", err=True)
        raise click.exceptions.Exit(1)
