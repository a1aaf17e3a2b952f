"""One canonical form of an event's payload, and personal data kept out of it.

Two parties hash the same event only if they hash the same bytes, so the chain never
hashes the stored bytes as they happen to be written: it hashes the canonical JSON of the
payload (keys sorted, no whitespace, UTF-8; RFC 8785 for pfdo's payloads, which hold no
floats). The payload is the event's plaintext: with the library's cipher on, the stored
ciphertext is decrypted first, so encrypting a store, or changing its key, leaves the
chain as it was.

A child's id and birth date are personal data (152-ФЗ). Before hashing, each personal
field is replaced by a commitment `sha256(tag, nonce, value)`, where the nonce is an HMAC
of the event's id under a secret of the store. An export without personal data carries
the commitments and still verifies; one with personal data carries the values and their
nonces, and each value can be checked against its commitment. Without the nonce a
commitment does not give the value away, even though a birth date has only a few thousand
possible values.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from eventsourcing.persistence import Mapper
from eventsourcing.utils import get_topic

from pfdo.domain.certificate import Certificate, ChildRegistration
from pfdo.domain.requests import RequestRecord

#: topic -> the payload fields of that event kept out of exports: the child's id and birth
#: date; and a request record's id and fingerprint, because a client may build request ids
#: from a child's id and a fingerprint hashes the command's arguments, which can be guessed.
PERSONAL_FIELDS: Mapping[str, tuple[str, ...]] = {
    get_topic(Certificate.Issued): ("child", "birth_date"),
    get_topic(ChildRegistration.Registered): ("child",),
    get_topic(RequestRecord.Recorded): ("request_id", "fingerprint"),
}
COMMITMENT = "_commitment_"
_PERSONAL_TAG = b"pfdo-personal/1"


def canonical_json(value: Any) -> bytes:
    """The canonical JSON bytes of a payload or a value: keys sorted by code point, no
    whitespace, UTF-8, strings escaped only where JSON requires (as `json.dumps(value,
    sort_keys=True, separators=(",", ":"), ensure_ascii=False)` writes them)."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def parse_json(data: bytes | str) -> Any:
    """Parse JSON text (the stored plaintext of an event, a line of an export)."""
    return orjson.loads(data)


_LENGTH = struct.Struct(">Q").pack  # 8 bytes, big-endian


def frame(*parts: bytes) -> bytes:
    """Length-prefixed concatenation: no two different lists of parts frame alike."""
    return b"".join([_LENGTH(len(part)) + part for part in parts])


def plaintext(mapper: Mapper[Any], state: bytes) -> bytes:
    """The stored state as the transcoder wrote it: decrypted and decompressed."""
    if mapper.cipher is not None:
        state = mapper.cipher.decrypt(state)
    if mapper.compressor is not None:
        state = mapper.compressor.decompress(state)
    return state


def commitment(nonce: bytes, value: Any) -> str:
    """The hex commitment to one personal value."""
    return hashlib.sha256(frame(_PERSONAL_TAG, nonce, canonical_json(value))).hexdigest()


def payload_digest(payload: Mapping[str, Any]) -> bytes:
    """What the chain covers of a payload: the sha256 of its canonical JSON."""
    return hashlib.sha256(canonical_json(payload)).digest()


@dataclass(frozen=True)
class Committed:
    """A payload with its personal values replaced by commitments, and what opens them."""

    payload: dict[str, Any]
    openings: dict[str, dict[str, Any]] = field(default_factory=dict)

    def with_personal_data(self) -> dict[str, Any]:
        """The payload with the personal values put back."""
        return {**self.payload, **{k: o["value"] for k, o in self.openings.items()}}


class Commitments:
    """Commits personal fields under the store's secret."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def nonce(self, originator_id: str, version: int, name: str) -> bytes:
        message = frame(originator_id.encode(), str(version).encode(), name.encode())
        return hmac.digest(self._secret, message, "sha256")

    def commit(
        self, originator_id: str, version: int, topic: str, payload: dict[str, Any]
    ) -> Committed:
        names = [n for n in PERSONAL_FIELDS.get(topic, ()) if n in payload]
        if not names:
            return Committed(payload)
        committed, openings = dict(payload), {}
        for name in names:
            nonce = self.nonce(originator_id, version, name)
            committed[name] = {COMMITMENT: commitment(nonce, payload[name])}
            openings[name] = {"value": payload[name], "nonce": nonce.hex()}
        return Committed(committed, openings)


def check_openings(payload: Mapping[str, Any], openings: Mapping[str, Any]) -> list[str]:
    """The personal fields whose value does not match the commitment in `payload`."""
    wrong = []
    for name, opening in openings.items():
        committed = payload.get(name)
        expected = committed.get(COMMITMENT) if isinstance(committed, dict) else None
        try:
            actual = commitment(bytes.fromhex(opening["nonce"]), opening["value"])
        except (KeyError, TypeError, ValueError):
            actual = None
        if expected is None or actual != expected:
            wrong.append(name)
    return wrong
