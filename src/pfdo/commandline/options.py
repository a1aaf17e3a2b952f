"""What the `pfdo` commands share in their options: the writing commands' options, and the
limits of `pfdo.application.fields` and `pfdo.domain.money` as the options' help states them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from pfdo.application.actors import ACTOR_FORM
from pfdo.application.fields import CODE_FORM, COUNT_DIGITS, REQUEST_ID_FORM, TEXT_FORM
from pfdo.commandline.session import json_option, opens_store, remember_actor
from pfdo.domain.money import MAX_AMOUNT, MAX_TOTAL, format_limit

F = TypeVar("F", bound=Callable[..., Any])

DATE = "YYYY-MM-DD"
MONTH = "YYYY-MM"
CODE = f"({CODE_FORM})"
TEXT = f"({TEXT_FORM})"
AMOUNT = f"(rubles, digits 0-9 and up to two decimals, at most {format_limit(MAX_AMOUNT)})"
TOTAL = f"at most {format_limit(MAX_TOTAL)}"
WHOLE = f"(a whole number, at most {COUNT_DIGITS} digits 0-9)"


def writing(f: F) -> F:
    """The options every writing command shares: business date, request id, actor, --json."""
    f = click.option(
        "--actor",
        metavar="ID",
        envvar="PFDO_ACTOR",
        expose_value=False,
        callback=remember_actor,
        help=(
            f"Who asks for the command ({ACTOR_FORM}), recorded in every event it writes "
            "(default: PFDO_ACTOR, else the operating-system user; an import: import:FILE)."
        ),
    )(f)
    f = click.option(
        "--request-id",
        metavar="KEY",
        help=f"Idempotency key ({REQUEST_ID_FORM}): a retry with the same arguments returns "
        "the first result.",
    )(f)
    f = click.option(
        "--on", metavar=DATE, help="Business date (default: today; at most a year ahead)."
    )(f)
    return opens_store("write")(json_option(f))
