"""Decisions on the registry: admit and exclude providers, add and withdraw programs (rule 4)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pfdo.application import commands as cmd
from pfdo.application import results as res
from pfdo.domain.errors import AlreadyExists
from pfdo.domain.registry import Program, Provider

if TYPE_CHECKING:
    from pfdo.application.execution import Decision
    from pfdo.application.reading import Reader


def add_provider(w: Reader, c: cmd.AddProvider) -> Decision[res.ProviderResult]:
    if w.exists(Provider, c.provider):
        raise AlreadyExists(f"provider {c.provider} exists already", provider=c.provider)
    provider = Provider.admit(c.provider, c.name, c.kind, c.on)
    return provider_result(provider), [provider]


def exclude_provider(w: Reader, c: cmd.ExcludeProvider) -> Decision[res.ProviderResult]:
    provider = w.get(Provider, c.provider, "provider")
    provider.exclude(c.on)
    return provider_result(provider), [provider]


def add_program(w: Reader, c: cmd.AddProgram) -> Decision[res.ProgramResult]:
    if w.exists(Program, c.program):
        raise AlreadyExists(f"program {c.program} exists already", program=c.program)
    provider = w.get(Provider, c.provider, "provider")
    program = Program.add(
        c.program,
        provider,
        c.title,
        c.monthly_price,
        c.min_age,
        c.max_age,
        c.capacity,
        c.on,
        normative_price=c.normative_price,
        hours=None
        if c.hours_per_month is None or c.hour_cost is None
        else (c.hours_per_month, c.hour_cost),
    )
    program.set_prolongation(c.prolongation, c.on)
    return program_result(program), [program]


def withdraw_program(w: Reader, c: cmd.WithdrawProgram) -> Decision[res.ProgramResult]:
    program = w.get(Program, c.program, "program")
    program.withdraw(c.on)
    return program_result(program), [program]


def set_prolongation(w: Reader, c: cmd.SetProlongation) -> Decision[res.ProgramSettings]:
    program = w.get(Program, c.program, "program")
    program.set_prolongation(c.prolongation, c.on)
    return res.ProgramSettings(program=c.program, prolongation=c.prolongation), [program]


def provider_result(provider: Provider) -> res.ProviderResult:
    return res.ProviderResult(
        provider=provider.code, name=provider.name, kind=provider.kind, status=provider.status
    )


def program_result(program: Program) -> res.ProgramResult:
    offer = program.hours_offer
    return res.ProgramResult(
        program=program.code,
        provider=program.provider,
        monthly_price=program.monthly_price,
        normative_price=program.normative_price,
        status=program.status,
        hours_per_month=None if offer is None else offer[0],
        hour_cost=None if offer is None else offer[1],
    )
