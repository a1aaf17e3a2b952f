"""The store's secrets at rest: sealed with the log's cipher when the store has one.

A secret is stored as `plain:` and its bytes on a plain store, `aead:` and its AES-GCM
ciphertext on an encrypted one, so that copying an encrypted store's database does not
hand over the secrets that keep its exports' personal data hidden.
"""

from __future__ import annotations

from eventsourcing.persistence import Cipher

from pfdo.domain.errors import StoreUnavailable

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
