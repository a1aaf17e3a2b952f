"""Who asked for a command (rule 25): the actor, its form, its default and its stamp.

An actor is a short id: an operator's login, `provider:P1`, `portal`, `import:FILE`,
`token:NAME`. It is NFC text of 1 to `ACTOR_MAX` characters with no control or format
characters (spaces inside are allowed: a file's name may hold them). A command given no
actor records the default of its `Ledger`, which is the operating-system user of the
process unless the `Ledger` was opened with another (`default_actor`).

The executor stamps the actor on every event a command wrote (`stamp`), after the decision
and before the save: the domain never sees it, and the stored payload, which the audit
chain hashes, holds it. The actor is not part of a request's fingerprint: a retry of the
same request by another actor replays the first result (the first actor stays recorded).
"""

from __future__ import annotations

import getpass
import os
import unicodedata
from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import BeforeValidator

from pfdo.domain.errors import InvalidInput

#: The longest actor, in characters.
ACTOR_MAX = 128
ACTOR_FORM = f"1-{ACTOR_MAX} characters, no control characters"
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def check_actor(value: Any) -> str:
    """An actor as NFC text of 1 to `ACTOR_MAX` visible characters (inner spaces allowed).

    Raises:
        InvalidInput: `value` is not text, empty, too long or holds an invisible character.
    """
    if not isinstance(value, str):
        raise InvalidInput(f"actor {value!r} is not text")
    text = unicodedata.normalize("NFC", value).strip()
    if not 1 <= len(text) <= ACTOR_MAX:
        raise InvalidInput(f"actor must be {ACTOR_FORM}; got {len(text):,} characters")
    for ch in text:
        if unicodedata.category(ch) in _INVISIBLE or (ch.isspace() and ch != " "):
            name = unicodedata.name(ch, "unnamed character")
            raise InvalidInput(
                f"actor {value!r} contains U+{ord(ch):04X} {name}: it must be {ACTOR_FORM}"
            )
    return text


def _actor_in(value: Any) -> str:
    try:
        return check_actor(value)
    except InvalidInput as error:
        raise ValueError(str(error).removeprefix("actor ")) from None


#: an actor (`check_actor`)
Actor = Annotated[str, BeforeValidator(_actor_in)]


def default_actor() -> str:
    """The actor of this process: its operating-system user (`getpass.getuser()`: the
    `LOGNAME`, `USER`, `LNAME` or `USERNAME` variable, else the password database), or
    `uid:N` when the user has no name; cut to `ACTOR_MAX` characters."""
    try:
        user = getpass.getuser()
    except Exception:  # no name for this uid (a container without a passwd entry)
        user = ""
    try:
        return check_actor(user[:ACTOR_MAX])
    except InvalidInput:
        return f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def file_actor(name: str) -> str:
    """The actor of an import of the file `name`: `import:` and the file's name (its last
    path part, cut to fit `ACTOR_MAX`)."""
    base = os.path.basename(name) or name or "-"
    text = "".join(ch if unicodedata.category(ch) not in _INVISIBLE else "?" for ch in base)
    return check_actor(("import:" + text.strip())[:ACTOR_MAX] or "import:-")


def stamp(events: Iterable[object], actor: str) -> None:
    """Record `actor` on every event of `events` that has none yet (an event is frozen
    once saved; these are pending, not yet stored)."""
    for event in events:
        if getattr(event, "actor", "") is None:
            object.__setattr__(event, "actor", actor)
