"""The store's secrets: random keys kept in the database beside the log, never in it.

Two live here: the audit chain's commitment secret (`pfdo.projections.canonical`), which makes
the commitments to personal data hiding, and the ids key (`pfdo.storage.pseudonyms`), which makes
the ids derived from a child's id unguessable. Each is created once, with the store, and
never changes: without it the chain of the personal events, or the ids of the children
registered, could not be recomputed. At rest a secret is `plain:` and its bytes on a plain
store, `aead:` and its AES-GCM ciphertext under the log's cipher on an encrypted one, so
that a copy of an encrypted store's database does not hand them over. The table keeps
the name stores have had since the chain was built, `pfdo_audit_secrets`.
"""

from __future__ import annotations

import os

from eventsourcing.persistence import Cipher
from sqlalchemy import Column, Connection, Engine, LargeBinary, MetaData, String, Table, insert
from sqlalchemy import select as sql_select
from sqlalchemy.exc import IntegrityError

from pfdo.domain.errors import StoreUnavailable

metadata = MetaData()

secrets = Table(
    "pfdo_audit_secrets",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("value", LargeBinary, nullable=False),
)

_PLAIN, _SEALED = b"plain:", b"aead:"


def seal(secret: bytes, cipher: Cipher | None) -> bytes:
    """The secret as stored."""
    return _PLAIN + secret if cipher is None else _SEALED + cipher.encrypt(secret)


def unseal(stored: bytes, cipher: Cipher | None, what: str) -> bytes:
    """The secret `what` from its stored form; refused when it is sealed and no cipher is set."""
    if stored.startswith(_PLAIN):
        return stored[len(_PLAIN) :]
    if cipher is None:
        raise StoreUnavailable(f"the store's {what} is encrypted: set the store's CIPHER_KEY")
    return cipher.decrypt(stored[len(_SEALED) :])


def create_secret(engine: Engine, name: str, cipher: Cipher | None) -> None:
    """Create the secret `name` (32 random bytes) unless the store has it already."""
    metadata.create_all(engine)
    try:
        with engine.begin() as connection:
            if _stored(connection, name) is None:
                value = seal(os.urandom(32), cipher)
                connection.execute(insert(secrets).values(name=name, value=value))
    except IntegrityError:
        pass  # another process created it first


def read_secret(
    connection: Connection, name: str, cipher: Cipher | None, what: str
) -> bytes | None:
    """The secret `name` (`what`, in errors), or None when the store has none so named."""
    stored = _stored(connection, name)
    return None if stored is None else unseal(stored, cipher, what)


def _stored(connection: Connection, name: str) -> bytes | None:
    query = sql_select(secrets.c.value).where(secrets.c.name == name)
    value = connection.execute(query).scalar_one_or_none()
    return None if value is None else bytes(value)
