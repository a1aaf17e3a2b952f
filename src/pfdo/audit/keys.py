"""The operator's Ed25519 signing key, as PEM files.

`generate` writes a private key (PKCS#8 PEM, readable by its owner only) and its public
key (`.pub`, SubjectPublicKeyInfo PEM). The operator signs checkpoints with the private
key; auditors receive the public key by a channel they trust (not from the store, which
the operator controls) and check signatures with it. `PFDO_AUDIT_KEY` names the private
key file pfdo signs the automatic checkpoints of period closes with.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pfdo.domain.errors import AlreadyExists, InvalidInput

KEY_ENV = "PFDO_AUDIT_KEY"


def key_id(public_key: bytes) -> str:
    """A short fingerprint of a public key: the first 16 hex digits of its sha256."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def encode_public(public_key: bytes) -> str:
    return base64.b64encode(public_key).decode()


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 private key that signs checkpoints."""

    private: Any  # cryptography's Ed25519PrivateKey

    @property
    def public_key(self) -> bytes:
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        return bytes(self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))

    def sign(self, message: bytes) -> bytes:
        return bytes(self.private.sign(message))


def generate(path: Path) -> tuple[Path, Path, str]:
    """Write a new key pair to `path` and `path.pub`; refuse to overwrite either."""
    from cryptography.hazmat.primitives import serialization as s
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    public_path = path.with_name(path.name + ".pub")
    for target in (path, public_path):
        if target.exists():
            raise AlreadyExists(f"{target} exists already: pfdo does not overwrite keys")
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption())
    public_pem = key.public_key().public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as private_file:
        private_file.write(private_pem)
    public_path.write_bytes(public_pem)
    return path, public_path, key_id(SigningKey(key).public_key)


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise InvalidInput(f"cannot read the {what} {path}: {error.strerror}") from None


def load_signing_key(path: Path) -> SigningKey:
    """The Ed25519 private key in a PEM file."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(_read(path, "private key"), password=None)
    except (ValueError, TypeError) as error:
        raise InvalidInput(f"{path} is not an unencrypted PEM private key: {error}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidInput(f"{path} holds a {type(key).__name__}, not an Ed25519 key")
    return SigningKey(key)


def load_public_key(path: Path) -> bytes:
    """The raw 32 bytes of the Ed25519 public key in a PEM file."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        PublicFormat,
        load_pem_public_key,
    )

    try:
        key = load_pem_public_key(_read(path, "public key"))
    except (ValueError, TypeError) as error:
        raise InvalidInput(f"{path} is not a PEM public key: {error}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InvalidInput(f"{path} holds a {type(key).__name__}, not an Ed25519 key")
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def signing_key_from_env() -> SigningKey | None:
    """The key `PFDO_AUDIT_KEY` names, or None when it is not set."""
    path = os.environ.get(KEY_ENV)
    return load_signing_key(Path(path)) if path else None


def signature_is_valid(public_key: bytes, signature: bytes, message: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True
