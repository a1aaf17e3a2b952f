"""Who may do what over HTTP: the roles, their scopes and the operations each may call.

A token has one role and at most one scope: an operator may be held to one municipality, a
provider's token to one provider, a family's to one certificate. `may(grant, operation)`
answers whether the role may call the operation at all (else 403 `forbidden`); whether
the object the request names lies inside the scope is `pfdo.service.scope`'s question
(else 404 `not_found`, as if it did not exist). docs/SERVICE.md has the table in prose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pfdo.domain.errors import InvalidInput

Role = Literal["admin", "operator", "provider", "portal", "family", "auditor"]
ROLES: tuple[Role, ...] = ("admin", "operator", "provider", "portal", "family", "auditor")
ScopeKind = Literal["municipality", "provider", "certificate"]

#: The scope each role takes: required, optional or none.
SCOPES: dict[Role, tuple[ScopeKind | None, bool]] = {
    "admin": (None, False),
    "operator": ("municipality", False),
    "provider": ("provider", True),
    "portal": (None, False),
    "family": ("certificate", True),
    "auditor": (None, False),
}

#: A token's name: it goes into the actor (`token:NAME`) and the request ids
#: (`token:NAME:KEY`), so it is short and plain.
NAME_MAX = 48
NAME_FORM = f"1-{NAME_MAX} characters: letters, digits, '.', '_' and '-'"
_NAME = re.compile(rf"[A-Za-z0-9._-]{{1,{NAME_MAX}}}", re.ASCII)
_CERTIFICATE = re.compile(r"[0-9]{10}", re.ASCII)
_CODE = re.compile(r"\S{1,64}")


@dataclass(frozen=True)
class Grant:
    """What a live token allows: its name (the actor is `token:NAME`), role and scope."""

    name: str
    role: Role
    scope_kind: ScopeKind | None = None
    scope: str | None = None

    @property
    def actor(self) -> str:
        """Who the events a request writes were asked by (rule 25)."""
        return f"token:{self.name}"

    @property
    def scope_text(self) -> str | None:
        """The scope as stored and shown: `municipality:M`, `provider:P`, `certificate:N`."""
        return None if self.scope_kind is None else f"{self.scope_kind}:{self.scope}"

    def held_to(self, kind: ScopeKind) -> str | None:
        """The scope's value when it is of `kind`, else None."""
        return self.scope if self.scope_kind == kind else None

    @staticmethod
    def of(name: str, role: str, scope_text: str | None) -> Grant:
        """A grant as the token table keeps it."""
        if role not in ROLES:
            raise InvalidInput(f"token {name} has an unknown role {role!r}")
        if scope_text is None:
            return Grant(name, role)
        kind, _, value = scope_text.partition(":")
        return Grant(name, role, kind, value)  # type: ignore[arg-type]


def grant(
    name: str,
    role: str,
    *,
    municipality: str | None = None,
    provider: str | None = None,
    certificate: str | None = None,
) -> Grant:
    """Check a new token's name, role and scope.

    Raises:
        InvalidInput: the name is not of its form, the role unknown, or the scope given is
            not the role's (several scopes, a scope the role takes none of, a provider or
            family token without its provider or certificate).
    """
    problems: list[tuple[str, str]] = []
    if not _NAME.fullmatch(name):
        problems.append(("name", f"must be {NAME_FORM}"))
    if role not in ROLES:
        problems.append(("role", f"must be one of {', '.join(ROLES)}"))
        raise InvalidInput(f"token: role {role!r} is unknown", tuple(problems))
    offered: tuple[tuple[ScopeKind, str | None], ...] = (
        ("municipality", municipality),
        ("provider", provider),
        ("certificate", certificate),
    )
    given: dict[ScopeKind, str] = {k: v for k, v in offered if v is not None}
    kind, required = SCOPES[role]
    for other in given:
        if other != kind:
            problems.append((other, f"a {role} token takes no {other}"))
    value = given.get(kind) if kind is not None else None
    if required and value is None:
        problems.append((str(kind), f"a {role} token needs its {kind}"))
    if value is not None and kind == "certificate" and not _CERTIFICATE.fullmatch(value):
        problems.append(("certificate", "must be 10 digits 0-9"))
    elif value is not None and not _CODE.fullmatch(value):
        problems.append((str(kind), "must be 1-64 characters, no spaces"))
    if problems:
        said = "; ".join(f"{field}: {reason}" for field, reason in problems)
        raise InvalidInput(f"token: {said}", tuple(problems))
    return Grant(name, role, kind if value is not None else None, value)


#: Each operation of the service and the roles that may call it.
_ALL_READERS = frozenset({"admin", "operator", "auditor"})
OPERATIONS: dict[str, frozenset[str]] = {
    "periods.list": _ALL_READERS,
    "periods.write": frozenset({"admin", "operator"}),
    "periods.report": _ALL_READERS,
    "providers.list": _ALL_READERS | {"portal"},
    "providers.write": frozenset({"admin", "operator"}),
    "programs.list": _ALL_READERS | {"portal", "provider"},
    "programs.write": frozenset({"admin", "operator"}),
    "programs.settings": frozenset({"admin", "operator", "provider"}),
    "certificates.issue": frozenset({"admin", "operator", "portal"}),
    "certificates.read": _ALL_READERS | {"portal", "family"},
    "certificates.fund": frozenset({"admin", "operator", "portal"}),
    "certificates.write": frozenset({"admin", "operator"}),
    "contracts.enrol": frozenset({"admin", "operator", "portal"}),
    "contracts.read": _ALL_READERS | {"portal", "family", "provider"},
    "contracts.attend": frozenset({"admin", "operator", "provider"}),
    "contracts.terminate": frozenset({"admin", "operator", "provider", "portal"}),
    "contracts.correct": frozenset({"admin", "operator"}),
    "contracts.continue": frozenset({"admin", "operator", "portal"}),
    "billing": frozenset({"admin", "operator"}),
    "prolongation": frozenset({"admin", "operator"}),
    "registers.read": _ALL_READERS | {"provider"},
    "invoices.list": _ALL_READERS | {"provider"},
    "invoices.write": frozenset({"admin", "operator"}),
    "queues.read": _ALL_READERS,
    "queues.write": frozenset({"admin", "operator"}),
    "audit": frozenset({"admin", "operator", "auditor"}),
}

#: The region-wide operations an operator held to one municipality may not call.
REGION_WIDE = frozenset(
    {
        "providers.write",
        "programs.write",
        "programs.settings",
        "billing",
        "prolongation",
        "invoices.write",
        "audit",
    }
)


def may(holder: Grant, operation: str) -> bool:
    """Whether `holder`'s role may call `operation` at all (its scope aside)."""
    if holder.role not in OPERATIONS[operation]:
        return False
    return not (holder.role == "operator" and holder.scope is not None and operation in REGION_WIDE)
