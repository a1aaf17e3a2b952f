"""What every endpoint shares: the worker's service, the token's grant, and calling the
`Ledger` once with the token as the actor, the idempotency key as the request id, and the
result as the CLI's JSON document (a list a page at a time)."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from typing import Annotated, Any

import orjson
from fastapi import Depends, Query, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from pfdo.application.results import Result
from pfdo.domain.errors import ConcurrencyConflict, InvalidInput
from pfdo.service import paging
from pfdo.service.context import Service
from pfdo.service.problems import forbidden, unauthorized
from pfdo.service.roles import Grant, may
from pfdo.storage.store import store_errors

#: The longest idempotency key: `token:NAME:KEY` is the request id.
KEY_MAX = 200
KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
_KEY = re.compile(rf"[\x21-\x7e]{{1,{KEY_MAX}}}", re.ASCII)
#: How many times a request calls the `Ledger` when other writers keep winning its races
#: (each call retries on its own first): a lost race wrote nothing, so calling again is
#: safe, and a portal sees 503 `concurrency_conflict` only when they all are lost.
CALLS_UNDER_CONTENTION = 4

bearer = HTTPBearer(
    auto_error=False,
    description="A token of `pfdo token create`: `Authorization: Bearer TOKEN`.",
)


class JsonDocument(Response):
    """A JSON answer, written by orjson (the documents are the CLI's, already plain)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


async def service(request: Request) -> Service:
    """The worker's service (a coroutine: the cheap dependencies stay on the event loop,
    off the thread pool)."""
    found: Service = request.app.state.service
    return found


def holder(
    svc: Annotated[Service, Depends(service)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Grant:
    """The live token of the request (401 without one)."""
    if credentials is None:
        raise unauthorized()
    with store_errors(svc.ledger.store):
        row = svc.tokens.holder(credentials.credentials)
    if row is None:
        raise unauthorized()
    return Grant.of(row.name, row.role, row.scope)


Svc = Annotated[Service, Depends(service)]
Holder = Annotated[Grant, Depends(holder)]
Limit = Annotated[
    int, Query(ge=1, le=paging.MAX_LIMIT, description="Items a page (at most 1,000).")
]
Cursor = Annotated[
    str | None, Query(description="The `next_cursor` of the page before; none: the first.")
]


def allowed(operation: str) -> Any:
    """A dependency: the request's grant, when its role may call `operation` (else 403,
    before the body is looked at)."""

    async def check(grant: Holder) -> Grant:
        if not may(grant, operation):
            raise forbidden(grant.role)
        return grant

    return Depends(check)


def document(result: Result, headers: dict[str, str] | None = None) -> JsonDocument:
    """A result as the CLI's JSON document."""
    return JsonDocument(result.model_dump(mode="json"), headers=headers)


def listed(result: Result, items: str, key: str, limit: int, cursor: str | None) -> JsonDocument:
    """A result holding a list (`items`, told apart by `key`) a page at a time, with
    `next_cursor`."""
    doc = result.model_dump(mode="json")
    doc[items], doc["next_cursor"] = paging.page(doc[items], key, limit, cursor)
    return JsonDocument(doc)


def request_id(grant: Grant, key: str) -> str:
    """The request id of an idempotency key: scoped to the token's name.

    Raises:
        InvalidInput: the key is empty, longer than `KEY_MAX` or not visible ASCII.
    """
    if not _KEY.fullmatch(key):
        reason = f"1-{KEY_MAX} visible ASCII characters, no spaces"
        raise InvalidInput(f"{KEY_HEADER} must be {reason}", ((KEY_HEADER, reason),))
    return f"token:{grant.name}:{key}"


def contended(call: Callable[[], Result], pause: float = 0.05) -> Result:
    """`call`, called again (after a random pause that grows) while it loses its races to
    other writers, `CALLS_UNDER_CONTENTION` times at most.

    Raises:
        ConcurrencyConflict: every call lost its race; nothing was written.
    """
    for attempt in range(CALLS_UNDER_CONTENTION):
        try:
            return call()
        except ConcurrencyConflict:
            if attempt == CALLS_UNDER_CONTENTION - 1:
                raise
            time.sleep(random.uniform(0, pause * 2**attempt))
    raise AssertionError("unreachable")


def write(grant: Grant, request: Request, call: Callable[..., Result]) -> JsonDocument:
    """Call a writing method of the `Ledger` with the token as the actor and the
    idempotency key, if any, as the request id; a replayed answer (the result's own
    `replayed`) says so in a header.
    """
    key = request.headers.get(KEY_HEADER)
    if key is None:
        return document(contended(lambda: call(actor=grant.actor)))
    rid = request_id(grant, key)
    result = contended(lambda: call(actor=grant.actor, request_id=rid))
    replayed = getattr(result, "replayed", None) is True
    return document(result, {REPLAYED_HEADER: "true"} if replayed else None)
