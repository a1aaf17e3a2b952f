"""The service's health, and the auditor's `/audit/*` (`audit verify`, `audit export`)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from pfdo.service.calls import JsonDocument, Svc, allowed, document
from pfdo.service.roles import Grant
from pfdo.storage.store import store_errors

router = APIRouter()

#: Bytes read at a time from an export while it streams.
CHUNK = 64 * 1024


class Health(BaseModel):
    """The service answers and reads its store: how far the log goes."""

    status: str
    log_position: int


@router.get("/health", response_model=Health, tags=["service"])
def health(svc: Svc) -> JsonDocument:
    """Whether the service answers and reads its store (no token needed)."""
    with store_errors(svc.ledger.store):
        position = svc.ledger.log_position()
    return JsonDocument({"status": "ok", "log_position": position})


@router.get("/audit/verify", tags=["audit"])
def audit_verify(svc: Svc, grant: Annotated[Grant, allowed("audit")]) -> JsonDocument:
    """`audit verify`: the chain, the checkpoints, the read models and the invariants."""
    with store_errors(svc.ledger.store):
        return document(svc.ledger.auditor().verify())


@router.get(
    "/audit/export",
    tags=["audit"],
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}}}},
)
def audit_export(
    svc: Svc,
    grant: Annotated[Grant, allowed("audit")],
    period: str | None = None,
    certificate: str | None = None,
) -> StreamingResponse:
    """`audit export`: the log (or a period's or certificate's part), JSON lines, streamed;
    personal fields as commitments only."""
    folder = tempfile.mkdtemp(prefix="pfdo-export-")
    out = Path(folder) / "export.jsonl"
    try:
        with store_errors(svc.ledger.store):
            svc.ledger.auditor().export(out, period=period, certificate=certificate)
    except BaseException:
        _remove(out, folder)
        raise
    return StreamingResponse(_stream(out, folder), media_type="application/x-ndjson")


def _stream(out: Path, folder: str) -> Iterator[bytes]:
    try:
        with out.open("rb") as f:
            while chunk := f.read(CHUNK):
                yield chunk
    finally:
        _remove(out, folder)


def _remove(out: Path, folder: str) -> None:
    out.unlink(missing_ok=True)
    os.rmdir(folder)


__all__: list[Any] = ["router"]
