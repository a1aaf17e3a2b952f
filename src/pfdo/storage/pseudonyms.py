"""Identifiers derived from personal data, keyed so that the log does not give them away.

"One certificate per child" is enforced by the event store itself: a child's registration
is an aggregate whose id is a function of the child's id, so a second registration
conflicts with the first. A function anyone can compute (a UUIDv5 of the child's id, as
stores before `pfdo-ids/1` use) lets whoever holds an export test guesses of the child's
id against every aggregate id in it: a dictionary of СНИЛС or document numbers is
searched in minutes. So these ids are an HMAC-SHA256 under a 32-byte key of the store
(`pfdo-ids/1` among the store's secrets, `pfdo.storage.secrets`, sealed like them):
deterministic within a store, unguessable without the key, and the key never enters the
log or an export.

Keyed the same way: a request record's id (a client may build request ids from a
child's id), and the certificate number pfdo generates when none is given at issue.

A store whose log was written before the key existed keeps deriving them as it always
did (`Pseudonyms.legacy`): changing the derivation would let a child registered before
register again. `pfdo audit export` says so for such a store (docs/AUDIT.md, section 6).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from uuid import UUID

from eventsourcing.persistence import Cipher
from sqlalchemy import Connection, Engine

from pfdo.domain.base import stable_id
from pfdo.storage.secrets import create_secret, read_secret

#: The name of the ids key among the store's secrets.
IDS_KEY = "pfdo-ids/1"
_REMEMBERED = 10_000
_NUMBERS = 9_000_000_000  # 10-digit numbers: 1,000,000,000 .. 9,999,999,999


@dataclass(frozen=True)
class Pseudonyms:
    """Derives the ids that are functions of personal data; `key` None for a legacy store."""

    key: bytes | None
    #: request records' ids already derived (a bulk derives each three times: prefetch,
    #: replay check, record); forgotten past `_REMEMBERED`
    _requests: dict[str, UUID] = field(default_factory=dict, compare=False, repr=False)

    @property
    def legacy(self) -> bool:
        """Whether this store derives them without a key (written before `pfdo-ids/1`)."""
        return self.key is None

    def child_registration(self, child: str) -> UUID:
        """The id of the aggregate that makes a second certificate for `child` conflict."""
        return self._id("child", child)

    def request_record(self, request_id: str) -> UUID:
        """The id of the record of a request id (idempotency)."""
        known = self._requests.get(request_id)
        if known is None:
            if len(self._requests) >= _REMEMBERED:
                self._requests.clear()
            known = self._requests[request_id] = self._id("request", request_id)
        return known

    def certificate_number(self, child: str, attempt: int) -> str:
        """The `attempt`-th candidate for a certificate number generated for `child`."""
        message = f"pfdo-number:{child}:{attempt}".encode()
        if self.key is None:
            digest = hashlib.sha256(message).digest()
        else:
            digest = hmac.digest(self.key, message, "sha256")
        return str(1_000_000_000 + int.from_bytes(digest[:8], "big") % _NUMBERS)

    def _id(self, kind: str, value: str) -> UUID:
        if self.key is None:
            return stable_id(kind, value)
        digest = bytearray(hmac.digest(self.key, f"{kind}:{value}".encode(), "sha256")[:16])
        digest[6] = (digest[6] & 0x0F) | 0x80  # RFC 9562 version 8: a custom derivation
        digest[8] = (digest[8] & 0x3F) | 0x80  # the RFC's variant
        return UUID(bytes=bytes(digest))


def ensure_ids_key(engine: Engine, cipher: Cipher | None, log_is_empty: bool) -> None:
    """Create the store's ids key with the store: only while its log is empty, since a log
    written without the key must go on deriving its ids without it."""
    if log_is_empty:
        create_secret(engine, IDS_KEY, cipher)


def load_pseudonyms(connection: Connection, cipher: Cipher | None) -> Pseudonyms:
    """The store's derivation: keyed, or legacy when the store has no ids key."""
    return Pseudonyms(read_secret(connection, IDS_KEY, cipher, "ids key"))
