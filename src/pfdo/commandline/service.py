"""`pfdo serve` and `pfdo token ...`: the HTTP service over the store, and its tokens
(docs/SERVICE.md).

The service's package (`pfdo.service`, with its web framework) is imported inside the
commands, so that `pfdo --help` and every other command load none of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import click

from pfdo.commandline.session import Session, emit, json_option, opens_store, refusals

if TYPE_CHECKING:
    from pfdo.application.results import Result
    from pfdo.ledger import Ledger
    from pfdo.service.grants import Tokens

T = TypeVar("T")
#: what `pip install 'pfdo[server]'` brings: without it, `serve` says so in one line
SERVER_EXTRA = ("fastapi", "starlette", "uvicorn")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to bind.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Processes."
)
@click.option(
    "--busy-timeout",
    type=click.FloatRange(0, 3600),
    metavar="SECONDS",
    help="How long a command waits for a busy store before answering 503.",
)
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    metavar="ORIGIN",
    help="An origin whose browser pages may call the service (repeat; default: none).",
)
@click.pass_obj
def serve(
    session: Session,
    /,
    host: str,
    port: int,
    workers: int,
    busy_timeout: float | None,
    cors_origins: tuple[str, ...],
) -> None:
    """Serve the store over HTTP/JSON for portals (SIGTERM stops it gracefully)."""
    try:
        from pfdo.service.context import Options
        from pfdo.service.server import check_store, run
    except ModuleNotFoundError as missing:
        if (missing.name or "").split(".")[0] not in SERVER_EXTRA:
            raise
        raise click.ClickException(
            f"pfdo serve needs the server extra ({missing.name} is not installed): "
            "pip install 'pfdo[server]'"
        ) from None

    options = Options(
        db=session.db, busy_timeout=busy_timeout, cors_origins=cors_origins, workers=workers
    )
    with refusals():
        check_store(options)
    run(options, host=host, port=port)


@click.group()
def token() -> None:
    """Make, list and revoke the HTTP service's access tokens."""


def _with_tokens(session: Session, api: Callable[[Tokens], T]) -> T:
    from pfdo.service.grants import Tokens

    def call(ledger: Ledger) -> T:
        tokens = Tokens(ledger)
        try:
            return api(tokens)
        finally:
            tokens.close()

    return session.call(call)


def _show(result: Result, as_json: bool) -> None:
    emit(result, as_json)


@token.command("create")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["admin", "operator", "provider", "portal", "family", "auditor"]),
)
@click.option("--name", required=True, help="The token's name; its actor is token:NAME.")
@click.option("--municipality", metavar="M", help="An operator held to one municipality.")
@click.option("--provider", metavar="P", help="A provider's token: its provider.")
@click.option("--certificate", metavar="N", help="A family's token: its certificate.")
@json_option
@opens_store("write")
@click.pass_obj
def token_create(
    session: Session,
    /,
    role: str,
    name: str,
    municipality: str | None,
    provider: str | None,
    certificate: str | None,
    as_json: bool,
) -> None:
    """Make a token and print it once: the store keeps only a hash of it."""
    _show(
        _with_tokens(
            session,
            lambda tokens: tokens.create(
                name,
                role,
                municipality=municipality,
                provider=provider,
                certificate=certificate,
            ),
        ),
        as_json,
    )


@token.command("list")
@json_option
@click.pass_obj
def token_list(session: Session, /, as_json: bool) -> None:
    """Every token with its role, scope and times (never the secrets)."""
    _show(_with_tokens(session, lambda tokens: tokens.list()), as_json)


@token.command("revoke")
@click.argument("name")
@json_option
@opens_store("maintain")
@click.pass_obj
def token_revoke(session: Session, /, name: str, as_json: bool) -> None:
    """Revoke a token: every request with it is refused from now on."""
    _show(_with_tokens(session, lambda tokens: tokens.revoke(name)), as_json)
