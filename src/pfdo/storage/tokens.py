"""The HTTP service's access tokens, kept in the store's own database beside the log.

A token is `NAME.SECRET`: the name says which row to read (one lookup by primary key), the
secret is 32 random bytes. The table keeps the secret's SHA-256 digest, never the secret:
a copy of the database hands over no token. A high-entropy secret needs no slow hash; the
digests are compared in constant time (`hmac.compare_digest`). A revoked token stays in the
table with the time it was revoked, so `token list` shows it and its name is never reused.
Every request reads its token's row, so a revocation is seen at once by every process that
serves the store.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Engine, LargeBinary, MetaData, String, Table, insert
from sqlalchemy import select as sql_select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError

from pfdo.domain.errors import AlreadyExists, NotFound

metadata = MetaData()

tokens = Table(
    "pfdo_tokens",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("scope", String(128), nullable=True),
    Column("digest", LargeBinary(32), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

#: The random bytes of a token's secret.
SECRET_BYTES = 32
_SEPARATOR = "."


@dataclass(frozen=True)
class TokenRow:
    """A token as the table keeps it: everything but its secret."""

    name: str
    role: str
    scope: str | None
    created_at: datetime
    revoked_at: datetime | None


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def _row(mapping: object) -> TokenRow:
    m = dict(mapping)  # type: ignore[call-overload]
    created = _utc(m["created_at"])
    assert created is not None
    return TokenRow(m["name"], m["role"], m["scope"], created, _utc(m["revoked_at"]))


def _utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive times; every time here is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


class TokenTable:
    """The tokens of one store (its table created on first use)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        metadata.create_all(engine)

    def add(self, name: str, role: str, scope: str | None) -> str:
        """Record a new token and return it (`NAME.SECRET`): the only time it is seen.

        Raises:
            AlreadyExists: a token of that name exists (revoked or not).
        """
        secret = base64.urlsafe_b64encode(secrets.token_bytes(SECRET_BYTES)).decode().rstrip("=")
        row = {
            "name": name,
            "role": role,
            "scope": scope,
            "digest": _digest(secret),
            "created_at": datetime.now(UTC),
            "revoked_at": None,
        }
        try:
            with self._engine.begin() as connection:
                connection.execute(insert(tokens).values(**row))
        except IntegrityError:
            raise AlreadyExists(f"token {name} exists already (names are never reused)") from None
        return f"{name}{_SEPARATOR}{secret}"

    def rows(self) -> list[TokenRow]:
        """Every token, revoked ones too, by name."""
        query = sql_select(tokens).order_by(tokens.c.name)
        with self._engine.connect() as connection:
            return [_row(r) for r in connection.execute(query).mappings()]

    def revoke(self, name: str) -> TokenRow:
        """Revoke a token from now on; a revoked token keeps its first revocation time.

        Raises:
            NotFound: there is no token of that name.
        """
        with self._engine.begin() as connection:
            connection.execute(
                sql_update(tokens)
                .where(tokens.c.name == name, tokens.c.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            )
            found = connection.execute(sql_select(tokens).where(tokens.c.name == name))
            row = found.mappings().one_or_none()
        if row is None:
            raise NotFound(f"token {name} does not exist")
        return _row(row)

    def holder(self, token: str) -> TokenRow | None:
        """The live token `token` is, or None: unknown, malformed, wrong secret or revoked."""
        name, separator, secret = token.rpartition(_SEPARATOR)
        if not separator or not name or not secret:
            return None
        query = sql_select(tokens).where(tokens.c.name == name)
        with self._engine.connect() as connection:
            row = connection.execute(query).mappings().one_or_none()
        if row is None or not hmac.compare_digest(bytes(row["digest"]), _digest(secret)):
            return None
        found = _row(row)
        return None if found.revoked_at is not None else found
