"""Whether the object a request names lies inside its token's scope.

An operator held to a municipality sees the periods of it, its certificates and their
contracts; a provider's token its programs, the contracts in them, its registers and
invoices; a family's token its certificate and that certificate's contracts. An object
outside the scope is answered exactly as one that does not exist: the library's own
`NotFound`, with the library's words, so a 404 tells nothing of what lies outside.
Creating something in another municipality is not an object to hide: it is `forbidden`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pfdo.domain.errors import NotFound
from pfdo.service.problems import ServiceProblem
from pfdo.service.roles import Grant

if TYPE_CHECKING:
    from pfdo.application.results import ContractCard, ContractLine
    from pfdo.ledger import Ledger


def _missing(what: str, key: str) -> NotFound:
    return NotFound(f"{what} {key} does not exist", **{what: key})


def municipality_of_certificate(ledger: Ledger, number: str) -> str:
    """The municipality a certificate belongs to now (NotFound when there is none)."""
    return ledger.certificate(number).municipality


def certificate(ledger: Ledger, holder: Grant, number: str) -> None:
    """A certificate the token may see (else NotFound)."""
    family = holder.held_to("certificate")
    if holder.role == "family" and family != number:
        raise _missing("certificate", number)
    municipality = holder.held_to("municipality")
    if municipality is not None and municipality_of_certificate(ledger, number) != municipality:
        raise _missing("certificate", number)


def contract(ledger: Ledger, holder: Grant, code: str) -> ContractCard | None:
    """A contract the token may see (else NotFound); its card when it had to be read."""
    if holder.scope is None:
        return None
    card = ledger.contract(code)
    if not contract_line_seen(ledger, holder, card, {}):
        raise _missing("contract", code)
    return card


def contract_line_seen(
    ledger: Ledger, holder: Grant, line: ContractLine, municipalities: dict[str, str]
) -> bool:
    """Whether the token sees a contract (`municipalities`: certificates' municipalities
    known so far, filled as they are read)."""
    if holder.role == "family":
        return line.number == holder.scope
    if holder.role == "provider":
        return line.provider == holder.scope
    municipality = holder.held_to("municipality")
    if municipality is None:
        return True
    if line.number not in municipalities:
        municipalities[line.number] = municipality_of_certificate(ledger, line.number)
    return municipalities[line.number] == municipality


def period(ledger: Ledger, holder: Grant, code: str) -> None:
    """A period the token may see (else NotFound)."""
    municipality = holder.held_to("municipality")
    if municipality is None:
        return
    for line in ledger.periods().periods:
        if line.period == code and line.municipality == municipality:
            return
    raise _missing("period", code)


def provider(holder: Grant, code: str) -> None:
    """A provider's own things only, for a provider's token (else NotFound)."""
    if holder.role == "provider" and holder.scope != code:
        raise _missing("provider", code)


def program(ledger: Ledger, holder: Grant, code: str) -> None:
    """A program of the token's provider, for a provider's token (else NotFound)."""
    if holder.role != "provider":
        return
    assert holder.scope is not None
    if all(line.program != code for line in ledger.programs(provider=holder.scope).programs):
        raise _missing("program", code)


def municipality(holder: Grant, code: str) -> None:
    """Creating something in a municipality: an operator held to another may not."""
    held = holder.held_to("municipality")
    if held is not None and held != code:
        raise ServiceProblem(
            "forbidden",
            403,
            (
                f"токен оператора муниципалитета {held} не действует в муниципалитете {code}",
                f"the token of an operator of {held} may not act in municipality {code}",
            ),
        )
