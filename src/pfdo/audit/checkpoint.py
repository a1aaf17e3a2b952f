"""Checkpoints: "up to position P the chain head was H", signed by the operator.

A checkpoint is small: the position of the last event it covers, the chain head there,
when and why it was taken, the signer's public key and an Ed25519 signature over the
canonical JSON of all that. Whoever keeps a copy can later prove that the history up to
P is still the one that was signed: recompute the chain from the first event and compare
the hash at P. Changing, deleting, inserting or moving any event at or before P, or
cutting the log short of P, changes or loses that hash; forging a new checkpoint needs
the private key.

pfdo records a checkpoint in `pfdo_checkpoints` at every period close (signed with the
key `PFDO_AUDIT_KEY` names, unsigned when none is set) and whenever `pfdo audit
checkpoint` runs. Those stored copies are only as safe as the database; the copies that
auditors keep elsewhere are the ones that prove something.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from pfdo.audit.keys import SigningKey, encode_public, key_id, signature_is_valid
from pfdo.domain.errors import InvalidInput
from pfdo.projections import audit_tables as at
from pfdo.projections.canonical import canonical_json
from pfdo.projections.chain import chain_head

FORMAT = "pfdo-checkpoint"
VERSION = 1


@dataclass(frozen=True)
class Checkpoint:
    """One checkpoint; `public_key` and `signature` are base64 (raw Ed25519 bytes).

    Attributes:
        position: the log position checkpointed.
        head: the chain's hash there, hex.
        time: when it was taken, ISO UTC.
        reason: why it was taken.
        public_key: the signer's public key; None: unsigned.
        signature: the signature of `body()`; None: unsigned.
    """

    position: int
    head: str
    time: str
    reason: str
    public_key: str | None = None
    signature: str | None = None

    def body(self) -> dict[str, Any]:
        """Everything the signature covers."""
        fields = {k: v for k, v in asdict(self).items() if k != "signature"}
        return {"format": FORMAT, "version": VERSION, **fields}

    def document(self) -> dict[str, Any]:
        return {**self.body(), "signature": self.signature}

    def signed_by(self, key: SigningKey) -> Checkpoint:
        unsigned = replace(self, public_key=encode_public(key.public_key), signature=None)
        signature = key.sign(canonical_json(unsigned.body()))
        return replace(unsigned, signature=base64.b64encode(signature).decode())

    def signature_status(self, trusted: bytes | None) -> str:
        """`unsigned`, `invalid` (altered or forged), `untrusted` (valid, but signed by
        another key than `trusted`) or `valid`."""
        if self.signature is None:
            return "unsigned"
        try:
            public_key = base64.b64decode(self.public_key or "", validate=True)
            signature = base64.b64decode(self.signature, validate=True)
        except binascii.Error:
            return "invalid"
        if not signature_is_valid(public_key, signature, canonical_json(self.body())):
            return "invalid"
        return "untrusted" if trusted is not None and public_key != trusted else "valid"

    def signer(self) -> str | None:
        """The signer's key id, as the checkpoint claims it."""
        try:
            return key_id(base64.b64decode(self.public_key or "", validate=True))
        except binascii.Error:
            return None

    @classmethod
    def from_document(cls, document: Any, source: str) -> Checkpoint:
        """Read a checkpoint document, refusing anything malformed."""
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise InvalidInput(f"{source} is not a pfdo checkpoint")
        if document.get("version") != VERSION:
            raise InvalidInput(
                f"{source}: checkpoint version {document.get('version')!r} "
                f"is not supported (this pfdo reads version {VERSION})"
            )
        try:
            checkpoint = cls(**{k: document[k] for k in cls.__dataclass_fields__})
        except KeyError as missing:
            raise InvalidInput(f"{source}: the checkpoint has no {missing}") from None
        if not isinstance(checkpoint.position, int) or not isinstance(checkpoint.head, str):
            raise InvalidInput(f"{source}: position must be a number and head a hex string")
        return checkpoint


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def take(connection: Connection, reason: str, key: SigningKey | None) -> Checkpoint:
    """A checkpoint of the chain as it stands, signed when a key is given."""
    position, head = chain_head(connection)
    checkpoint = Checkpoint(position=position, head=head.hex(), time=now(), reason=reason)
    return checkpoint if key is None else checkpoint.signed_by(key)


def record(engine: Engine, reason: str, key: SigningKey | None, *, once: bool) -> Checkpoint:
    """Take a checkpoint and keep it in `pfdo_checkpoints`; with `once`, keep at most one
    per reason (a retried period close finds the first)."""
    with engine.begin() as connection:
        if once:
            query = select(at.checkpoints.c.document).where(at.checkpoints.c.reason == reason)
            found = connection.execute(query.limit(1)).scalar_one_or_none()
            if found is not None:
                return Checkpoint.from_document(json.loads(found), "pfdo_checkpoints")
        checkpoint = take(connection, reason, key)
        connection.execute(
            insert(at.checkpoints).values(
                position=checkpoint.position,
                head=checkpoint.head,
                reason=reason,
                document=canonical_json(checkpoint.document()).decode(),
            )
        )
    return checkpoint


def recorded(connection: Connection) -> list[tuple[str, Checkpoint]]:
    """The checkpoints kept in the store, each with where it came from."""
    rows = connection.execute(select(at.checkpoints).order_by(at.checkpoints.c.id)).mappings()
    found = []
    for row in rows:
        source = f"pfdo_checkpoints #{row['id']}"
        found.append((source, Checkpoint.from_document(json.loads(row["document"]), source)))
    return found


def read_file(path: Path) -> Checkpoint:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InvalidInput(f"cannot read checkpoint {path}: {error}") from None
    return Checkpoint.from_document(document, str(path))


def write_file(path: Path, checkpoint: Checkpoint) -> None:
    text = json.dumps(checkpoint.document(), ensure_ascii=False, indent=2) + "\n"
    path.write_text(text, encoding="utf-8")


def assess(
    checkpoint: Checkpoint,
    trusted: bytes | None,
    *,
    stored: bool,
    hash_there: bytes | None,
    last: int,
    complete: bool = True,
) -> tuple[list[str], list[str]]:
    """What is wrong with a checkpoint against a log (problems), and what it cannot show
    (warnings). `hash_there` is the log's chain hash at the checkpoint's position (None
    when the log has no event there), `last` the log's last position; a partial export is
    not `complete`: an event it lacks proves nothing."""
    problems, warnings = [], []
    status = checkpoint.signature_status(trusted)
    if status == "invalid":
        problems.append("the signature does not verify: the checkpoint was altered or forged")
    elif status == "untrusted":
        problems.append(f"signed by key {checkpoint.signer()}, not by the public key given")
    elif status == "unsigned" and trusted is not None and not stored:
        problems.append("the checkpoint is not signed, but a public key was given to check it")
    elif status == "unsigned":
        warnings.append("it is not signed: it proves only what its keeper vouches for")
    elif trusted is None:
        warnings.append(
            f"its signature is valid for the key it carries ({checkpoint.signer()}); give "
            "the operator's public key to know whose key that is"
        )
    if checkpoint.position == 0:
        if checkpoint.head != bytes(32).hex():
            problems.append("a checkpoint at position 0 must hold the genesis hash")
    elif checkpoint.position > last and complete:
        problems.append(
            f"the log ends at position {last}, before this checkpoint's position: the "
            "history after it was truncated"
        )
    elif hash_there is None and complete:
        problems.append("the log has no event at this checkpoint's position: it was deleted")
    elif hash_there is None:
        warnings.append("a partial export lacks the event at its position: not checked")
    elif hash_there.hex() != checkpoint.head:
        problems.append(
            f"the log's chain hash at this position is {hash_there.hex()}, the checkpoint "
            f"says {checkpoint.head}: an event at or before it was changed, deleted, "
            "inserted or moved"
        )
    return problems, warnings
