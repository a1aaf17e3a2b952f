"""Certificates and the waiting lists over HTTP (`certificate ...`, `balance`, `history`,
`queue ...`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Request

from pfdo.application import results as res
from pfdo.service import bodies, scope
from pfdo.service.calls import JsonDocument, Svc, allowed, document, write
from pfdo.service.roles import Grant

router = APIRouter()


@router.post("/certificates", response_model=res.CertificateIssued, tags=["certificates"])
def certificate_issue(
    svc: Svc,
    grant: Annotated[Grant, allowed("certificates.issue")],
    request: Request,
    body: bodies.CertificateIssue,
) -> JsonDocument:
    """`certificate issue`."""
    scope.municipality(grant, body.municipality)
    given = body.arguments()
    return write(grant, request, lambda **x: svc.ledger.issue_certificate(**given, **x))


@router.get("/certificates/{number}", response_model=res.CertificateCard, tags=["certificates"])
def certificate_show(
    svc: Svc, grant: Annotated[Grant, allowed("certificates.read")], number: str
) -> JsonDocument:
    """`certificate show`."""
    scope.certificate(svc.ledger, grant, number)
    return document(svc.ledger.certificate(number))


@router.get("/certificates/{number}/balance", response_model=res.Balance, tags=["certificates"])
def certificate_balance(
    svc: Svc,
    grant: Annotated[Grant, allowed("certificates.read")],
    number: str,
    period: str | None = None,
    as_of: date | None = None,
) -> JsonDocument:
    """`balance`: now, or as of a business date."""
    scope.certificate(svc.ledger, grant, number)
    return document(svc.ledger.balance(number, period=period, as_of=as_of))


@router.get("/certificates/{number}/history", response_model=res.History, tags=["certificates"])
def certificate_history(
    svc: Svc,
    grant: Annotated[Grant, allowed("certificates.read")],
    number: str,
    period: str | None = None,
) -> JsonDocument:
    """`history`: every movement of the certificate's money, in log order, with its actor."""
    scope.certificate(svc.ledger, grant, number)
    return document(svc.ledger.history(number, period=period))


@router.post(
    "/certificates/{number}/fundings",
    response_model=res.CertificateFunded | res.CertificateQueued,
    tags=["certificates"],
)
def certificate_fund(
    svc: Svc,
    grant: Annotated[Grant, allowed("certificates.fund")],
    request: Request,
    number: str,
    body: bodies.Funding,
) -> JsonDocument:
    """`certificate fund` (with `queue`: join the waiting list if a limit refuses it)."""
    scope.certificate(svc.ledger, grant, number)
    given = body.arguments()
    return write(grant, request, lambda **x: svc.ledger.fund_certificate(number, **given, **x))


@router.post("/certificates/{number}/unfund", response_model=res.Unfunded, tags=["certificates"])
def certificate_unfund(
    svc: Svc,
    grant: Annotated[Grant, allowed("certificates.write")],
    request: Request,
    number: str,
    body: bodies.InPeriod,
) -> JsonDocument:
    """`certificate unfund`."""
    scope.certificate(svc.ledger, grant, number)
    given = body.arguments()
    return write(grant, request, lambda **x: svc.ledger.unfund_certificate(number, **given, **x))


@router.post(
    "/certificates/{number}/move", response_model=res.CertificateMoved, tags=["certificates"]
)
def certificate_move(
    svc: Svc,
    grant: Annotated[Grant, allowed("certificates.write")],
    request: Request,
    number: str,
    body: bodies.Move,
) -> JsonDocument:
    """`certificate move`."""
    scope.certificate(svc.ledger, grant, number)
    given = body.arguments()
    return write(grant, request, lambda **x: svc.ledger.move_certificate(number, **given, **x))


@router.post(
    "/certificates/{number}/annul", response_model=res.CertificateAnnulled, tags=["certificates"]
)
def certificate_annul(
    svc: Svc,
    grant: Annotated[Grant, allowed("certificates.write")],
    request: Request,
    number: str,
    body: bodies.Annulment,
) -> JsonDocument:
    """`certificate annul`."""
    scope.certificate(svc.ledger, grant, number)
    given = body.arguments()
    return write(grant, request, lambda **x: svc.ledger.annul_certificate(number, **given, **x))


@router.get("/queues/{period}/{category}", response_model=res.QueueView, tags=["queues"])
def queue_show(
    svc: Svc, grant: Annotated[Grant, allowed("queues.read")], period: str, category: str
) -> JsonDocument:
    """`queue show`."""
    scope.period(svc.ledger, grant, period)
    return document(svc.ledger.queue(period=period, category=category))


@router.post("/queues/{period}/leave", response_model=res.QueueLeft, tags=["queues"])
def queue_leave(
    svc: Svc,
    grant: Annotated[Grant, allowed("queues.write")],
    request: Request,
    period: str,
    body: Annotated[bodies.QueueLeave, Body()],
) -> JsonDocument:
    """`queue leave`."""
    scope.period(svc.ledger, grant, period)
    scope.certificate(svc.ledger, grant, body.number)
    given = body.arguments("number")
    return write(
        grant,
        request,
        lambda **x: svc.ledger.leave_queue(body.number, period=period, **given, **x),
    )
