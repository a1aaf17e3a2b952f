"""Periods, providers and programs over HTTP (`period ...`, `provider ...`, `program ...`,
`report period`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request

from pfdo.application import results as res
from pfdo.desk.exports.export_results import PeriodReport
from pfdo.service import bodies, pages, scope
from pfdo.service.calls import Cursor, JsonDocument, Limit, Svc, allowed, document, listed, write
from pfdo.service.roles import Grant

router = APIRouter()


@router.get("/periods", response_model=pages.PeriodPage, tags=["periods"])
def period_list(
    svc: Svc,
    grant: Annotated[Grant, allowed("periods.list")],
    limit: Limit = 100,
    cursor: Cursor = None,
) -> JsonDocument:
    """`period list`: every period (an operator of a municipality: its periods)."""
    result = svc.ledger.periods()
    held = grant.held_to("municipality")
    if held is not None:
        kept = [p for p in result.periods if p.municipality == held]
        result = result.model_copy(update={"periods": kept})
    return listed(result, "periods", "period", limit, cursor)


@router.post("/periods", response_model=res.PeriodOpened, tags=["periods"])
def period_open(
    svc: Svc,
    grant: Annotated[Grant, allowed("periods.write")],
    request: Request,
    body: bodies.PeriodOpen,
) -> JsonDocument:
    """`period open`."""
    scope.municipality(grant, body.municipality)
    given = body.arguments("period", "categories")
    return write(
        grant,
        request,
        lambda **x: svc.ledger.open_period(
            body.period, categories=body.category_specs(), **given, **x
        ),
    )


@router.post("/periods/{period}/close", response_model=res.PeriodClosed, tags=["periods"])
def period_close(
    svc: Svc,
    grant: Annotated[Grant, allowed("periods.write")],
    request: Request,
    period: str,
    body: Annotated[bodies.Writing | None, Body()] = None,
) -> JsonDocument:
    """`period close` (signed with the key of `PFDO_AUDIT_KEY` when it is set)."""
    from pfdo.audit.keys import signing_key_from_env

    scope.period(svc.ledger, grant, period)
    given = body.arguments() if body is not None else {}
    key = signing_key_from_env()
    return write(
        grant,
        request,
        lambda **x: svc.ledger.close_period(period, signing_key=key, **given, **x),
    )


@router.post("/periods/{period}/nominal", response_model=res.NominalChanged, tags=["periods"])
def period_nominal(
    svc: Svc,
    grant: Annotated[Grant, allowed("periods.write")],
    request: Request,
    period: str,
    body: bodies.PeriodNominal,
) -> JsonDocument:
    """`period nominal`."""
    scope.period(svc.ledger, grant, period)
    given = body.arguments()
    return write(grant, request, lambda **x: svc.ledger.change_nominal(period, **given, **x))


@router.post("/periods/{period}/limits", response_model=res.LimitsChanged, tags=["periods"])
def period_limits(
    svc: Svc,
    grant: Annotated[Grant, allowed("periods.write")],
    request: Request,
    period: str,
    body: bodies.PeriodLimits,
) -> JsonDocument:
    """`period limits`."""
    scope.period(svc.ledger, grant, period)
    given = body.arguments()
    return write(grant, request, lambda **x: svc.ledger.change_limits(period, **given, **x))


@router.post("/periods/{period}/settings", response_model=res.PeriodSettings, tags=["periods"])
def period_settings(
    svc: Svc,
    grant: Annotated[Grant, allowed("periods.write")],
    request: Request,
    period: str,
    body: bodies.PeriodSettings,
) -> JsonDocument:
    """`period settings`."""
    scope.period(svc.ledger, grant, period)
    given = body.arguments()
    return write(grant, request, lambda **x: svc.ledger.period_settings(period, **given, **x))


@router.get("/periods/{period}/report", response_model=PeriodReport, tags=["periods"])
def period_report(
    svc: Svc, grant: Annotated[Grant, allowed("periods.report")], period: str
) -> JsonDocument:
    """`report period`."""
    scope.period(svc.ledger, grant, period)
    return document(svc.ledger.period_report(period))


@router.get("/providers", response_model=pages.ProviderPage, tags=["registry"])
def provider_list(
    svc: Svc,
    grant: Annotated[Grant, allowed("providers.list")],
    limit: Limit = 100,
    cursor: Cursor = None,
) -> JsonDocument:
    """`provider list`."""
    return listed(svc.ledger.providers(), "providers", "provider", limit, cursor)


@router.post("/providers", response_model=res.ProviderResult, tags=["registry"])
def provider_add(
    svc: Svc,
    grant: Annotated[Grant, allowed("providers.write")],
    request: Request,
    body: bodies.ProviderAdd,
) -> JsonDocument:
    """`provider add`."""
    given = body.arguments("provider")
    return write(grant, request, lambda **x: svc.ledger.add_provider(body.provider, **given, **x))


@router.post("/providers/{provider}/exclude", response_model=res.ProviderResult, tags=["registry"])
def provider_exclude(
    svc: Svc,
    grant: Annotated[Grant, allowed("providers.write")],
    request: Request,
    provider: str,
    body: Annotated[bodies.Writing | None, Body()] = None,
) -> JsonDocument:
    """`provider exclude`."""
    given = body.arguments() if body is not None else {}
    return write(grant, request, lambda **x: svc.ledger.exclude_provider(provider, **given, **x))


@router.get("/programs", response_model=pages.ProgramPage, tags=["registry"])
def program_list(
    svc: Svc,
    grant: Annotated[Grant, allowed("programs.list")],
    provider: str | None = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> JsonDocument:
    """`program list` (a provider's token: its own programs)."""
    if grant.role == "provider":
        if provider is not None:
            scope.provider(grant, provider)
        provider = grant.scope
    return listed(svc.ledger.programs(provider=provider), "programs", "program", limit, cursor)


@router.post("/programs", response_model=res.ProgramResult, tags=["registry"])
def program_add(
    svc: Svc,
    grant: Annotated[Grant, allowed("programs.write")],
    request: Request,
    body: bodies.ProgramAdd,
) -> JsonDocument:
    """`program add`."""
    given = body.arguments("program")
    return write(grant, request, lambda **x: svc.ledger.add_program(body.program, **given, **x))


@router.post("/programs/{program}/withdraw", response_model=res.ProgramResult, tags=["registry"])
def program_withdraw(
    svc: Svc,
    grant: Annotated[Grant, allowed("programs.write")],
    request: Request,
    program: str,
    body: Annotated[bodies.Writing | None, Body()] = None,
) -> JsonDocument:
    """`program withdraw`."""
    given = body.arguments() if body is not None else {}
    return write(grant, request, lambda **x: svc.ledger.withdraw_program(program, **given, **x))


@router.post("/programs/{program}/settings", response_model=res.ProgramSettings, tags=["registry"])
def program_settings(
    svc: Svc,
    grant: Annotated[Grant, allowed("programs.settings")],
    request: Request,
    program: str,
    body: bodies.ProgramSettings,
) -> JsonDocument:
    """`program settings` (a provider's token: its own programs)."""
    scope.program(svc.ledger, grant, program)
    given = body.arguments()
    return write(grant, request, lambda **x: svc.ledger.program_settings(program, **given, **x))
