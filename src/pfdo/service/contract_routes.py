"""Contracts, billing, prolongation, registers and invoices over HTTP (`enroll`, `attend`,
`terminate`, `correct`, `contract ...`, `bill`, `prolong`, `register`, `invoice ...`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request

from pfdo.application import results as res
from pfdo.service import bodies, pages, scope
from pfdo.service.calls import Cursor, JsonDocument, Limit, Svc, allowed, document, listed, write
from pfdo.service.problems import forbidden
from pfdo.service.roles import Grant

router = APIRouter()


@router.post("/contracts", response_model=res.Enrolment, tags=["contracts"])
def enroll(
    svc: Svc,
    grant: Annotated[Grant, allowed("contracts.enrol")],
    request: Request,
    body: bodies.Enrolment,
) -> JsonDocument:
    """`enroll`."""
    scope.certificate(svc.ledger, grant, body.number)
    given = body.arguments("number")
    return write(grant, request, lambda **x: svc.ledger.enroll(body.number, **given, **x))


@router.get("/contracts", response_model=pages.ContractPage, tags=["contracts"])
def contract_list(
    svc: Svc,
    grant: Annotated[Grant, allowed("contracts.read")],
    certificate: str | None = None,
    program: str | None = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> JsonDocument:
    """`contract list`: give `certificate` or `program` (a family's token: its certificate;
    a provider's: a program of its own)."""
    if grant.role == "family" and program is not None:
        raise forbidden(grant.role)
    if grant.role == "provider" and certificate is not None:
        raise forbidden(grant.role)
    if certificate is not None:
        scope.certificate(svc.ledger, grant, certificate)
    if program is not None:
        scope.program(svc.ledger, grant, program)
    result = svc.ledger.contracts(certificate=certificate, program=program)
    if grant.scope is not None and program is not None:
        known: dict[str, str] = {}
        kept = [
            line
            for line in result.contracts
            if scope.contract_line_seen(svc.ledger, grant, line, known)
        ]
        result = result.model_copy(update={"contracts": kept})
    return listed(result, "contracts", "contract", limit, cursor)


@router.get("/contracts/{contract}", response_model=res.ContractCard, tags=["contracts"])
def contract_show(
    svc: Svc, grant: Annotated[Grant, allowed("contracts.read")], contract: str
) -> JsonDocument:
    """`contract show`."""
    card = scope.contract(svc.ledger, grant, contract)
    return document(card if card is not None else svc.ledger.contract(contract))


@router.post(
    "/contracts/{contract}/attendance", response_model=res.AttendanceRecorded, tags=["contracts"]
)
def attend(
    svc: Svc,
    grant: Annotated[Grant, allowed("contracts.attend")],
    request: Request,
    contract: str,
    body: bodies.Attendance,
) -> JsonDocument:
    """`attend` (`absent`: the lessons were missed)."""
    scope.contract(svc.ledger, grant, contract)
    given = body.arguments("dates", "absent")
    return write(
        grant,
        request,
        lambda **x: svc.ledger.record_attendance(
            contract, dates=body.dates, present=not body.absent, **given, **x
        ),
    )


@router.post("/contracts/{contract}/terminate", response_model=res.Termination, tags=["contracts"])
def terminate(
    svc: Svc,
    grant: Annotated[Grant, allowed("contracts.terminate")],
    request: Request,
    contract: str,
    body: Annotated[bodies.Termination | None, Body()] = None,
) -> JsonDocument:
    """`terminate` on the business date `on`."""
    scope.contract(svc.ledger, grant, contract)
    given = body.arguments() if body is not None else {}
    return write(grant, request, lambda **x: svc.ledger.terminate(contract, **given, **x))


@router.post("/contracts/{contract}/corrections", response_model=res.Correction, tags=["contracts"])
def correct(
    svc: Svc,
    grant: Annotated[Grant, allowed("contracts.correct")],
    request: Request,
    contract: str,
    body: bodies.Correction,
) -> JsonDocument:
    """`correct`."""
    scope.contract(svc.ledger, grant, contract)
    given = body.arguments()
    return write(grant, request, lambda **x: svc.ledger.correct(contract, **given, **x))


@router.post(
    "/contracts/{contract}/continue", response_model=res.ContinuationStopped, tags=["contracts"]
)
def contract_continue(
    svc: Svc,
    grant: Annotated[Grant, allowed("contracts.continue")],
    request: Request,
    contract: str,
    body: Annotated[bodies.Continuation | None, Body()] = None,
) -> JsonDocument:
    """`contract continue --stop`."""
    scope.contract(svc.ledger, grant, contract)
    given = body.arguments("stop") if body is not None else {}
    return write(grant, request, lambda **x: svc.ledger.stop_continuation(contract, **given, **x))


@router.post("/billing-runs", response_model=res.BillingRun, tags=["billing"])
def bill(
    svc: Svc,
    grant: Annotated[Grant, allowed("billing")],
    request: Request,
    body: bodies.Billing,
) -> JsonDocument:
    """`bill`."""
    given = body.arguments("month")
    return write(grant, request, lambda **x: svc.ledger.bill(body.month, **given, **x))


@router.post("/prolongations", response_model=res.ProlongationRun, tags=["billing"])
def prolong(
    svc: Svc,
    grant: Annotated[Grant, allowed("prolongation")],
    request: Request,
    body: bodies.Prolongation,
) -> JsonDocument:
    """`prolong`."""
    given = body.arguments()
    return write(grant, request, lambda **x: svc.ledger.prolong(**given, **x))


@router.get("/registers/{provider}/{month}", response_model=res.Register, tags=["billing"])
def register(
    svc: Svc, grant: Annotated[Grant, allowed("registers.read")], provider: str, month: str
) -> JsonDocument:
    """`register`."""
    scope.provider(grant, provider)
    return document(svc.ledger.register(provider, month=month))


@router.get("/invoices", response_model=pages.InvoicePage, tags=["invoices"])
def invoice_list(
    svc: Svc,
    grant: Annotated[Grant, allowed("invoices.list")],
    provider: str | None = None,
    period: str | None = None,
    unpaid: bool = False,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> JsonDocument:
    """`invoice list` (a provider's token: its own)."""
    if grant.role == "provider":
        if provider is not None:
            scope.provider(grant, provider)
        provider = grant.scope
    result = svc.ledger.invoices(provider=provider, period=period, unpaid=unpaid)
    return listed(result, "invoices", "invoice", limit, cursor)


@router.post("/invoices/advances", response_model=res.AdvanceIssued, tags=["invoices"])
def invoice_advance(
    svc: Svc,
    grant: Annotated[Grant, allowed("invoices.write")],
    request: Request,
    body: bodies.InvoiceFor,
) -> JsonDocument:
    """`invoice advance`."""
    given = body.arguments()
    return write(grant, request, lambda **x: svc.ledger.issue_advance(**given, **x))


@router.post("/invoices", response_model=res.InvoiceIssued, tags=["invoices"])
def invoice_issue(
    svc: Svc,
    grant: Annotated[Grant, allowed("invoices.write")],
    request: Request,
    body: bodies.InvoiceFor,
) -> JsonDocument:
    """`invoice issue`."""
    given = body.arguments()
    return write(grant, request, lambda **x: svc.ledger.issue_invoice(**given, **x))


@router.post("/invoices/payments", response_model=res.InvoicePaid, tags=["invoices"])
def invoice_pay(
    svc: Svc,
    grant: Annotated[Grant, allowed("invoices.write")],
    request: Request,
    body: bodies.Payment,
) -> JsonDocument:
    """`invoice pay` on the business date `on`."""
    given = body.arguments("invoice")
    return write(grant, request, lambda **x: svc.ledger.pay_invoice(body.invoice, **given, **x))
