"""The tokens of a store, as `pfdo token create|list|revoke` handles them: make one (its
secret shown once), list them without their secrets, revoke one."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pfdo.application.results import Result
from pfdo.service.roles import grant
from pfdo.storage.store import open_engine, store_errors
from pfdo.storage.tokens import TokenRow, TokenTable

if TYPE_CHECKING:
    from pfdo.ledger import Ledger


class TokenCreated(Result):
    """A new token: `token` is its only showing; the store keeps a hash of its secret."""

    name: str
    role: str
    scope: str | None
    token: str


class TokenLine(Result):
    """A token as listed: never its secret."""

    name: str
    role: str
    scope: str | None
    created_at: datetime
    revoked_at: datetime | None


class TokenList(Result):
    """Every token of the store, revoked ones too."""

    tokens: list[TokenLine]


def _line(row: TokenRow) -> TokenLine:
    return TokenLine(
        name=row.name,
        role=row.role,
        scope=row.scope,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


class Tokens:
    """The token table of the store a `Ledger` is open on."""

    def __init__(self, ledger: Ledger) -> None:
        self._store = ledger.store
        with store_errors(self._store):
            self._engine = open_engine(self._store)
            self.table = TokenTable(self._engine)

    def close(self) -> None:
        """Release the table's connections."""
        self._engine.dispose()

    def create(
        self,
        name: str,
        role: str,
        *,
        municipality: str | None = None,
        provider: str | None = None,
        certificate: str | None = None,
    ) -> TokenCreated:
        """Make a token; its secret is in the result and nowhere else.

        Raises:
            InvalidInput: the name, role or scope is malformed (`pfdo.service.roles.grant`).
            AlreadyExists: a token of that name exists.
            StoreUnavailable: the store is busy, unreachable or failing.
        """
        given = grant(
            name, role, municipality=municipality, provider=provider, certificate=certificate
        )
        with store_errors(self._store):
            token = self.table.add(given.name, given.role, given.scope_text)
        return TokenCreated(name=given.name, role=given.role, scope=given.scope_text, token=token)

    def list(self) -> TokenList:
        """Every token, without secrets.

        Raises:
            StoreUnavailable: the store is busy, unreachable or failing.
        """
        with store_errors(self._store):
            return TokenList(tokens=[_line(row) for row in self.table.rows()])

    def revoke(self, name: str) -> TokenLine:
        """Revoke a token: every request with it is refused from now on.

        Raises:
            NotFound: there is no token of that name.
            StoreUnavailable: the store is busy, unreachable or failing.
        """
        with store_errors(self._store):
            return _line(self.table.revoke(name))
