"""Lists a page at a time: `limit` (default 100, at most 1,000) and `cursor`.

A cursor is opaque to the caller: the key of the last item of the page it follows,
encoded. Nothing listed is ever deleted (the log only grows), so the next page starts
right after that item wherever it stands now; an item added since lands on a later page
or, if it sorts before the cursor, on none of this walk's pages.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any

from pfdo.domain.errors import InvalidInput

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def _encode(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def _decode(cursor: str) -> Any:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidInput(
            "cursor is not one this service gave", (("cursor", "not a cursor of this list"),)
        ) from None


def page(
    items: Sequence[dict[str, Any]], key: str, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """The page of `items` after `cursor`, at most `limit` long, and the next cursor (None
    at the end). `key` names the field that tells the items apart.

    Raises:
        InvalidInput: the cursor is not one of this list's.
    """
    start = 0
    if cursor is not None:
        after = _decode(cursor)
        keys = [item[key] for item in items]
        if after not in keys:
            raise InvalidInput(
                "cursor names no item of this list", (("cursor", "not a cursor of this list"),)
            )
        start = keys.index(after) + 1
    chosen = list(items[start : start + limit])
    more = start + limit < len(items)
    return chosen, (_encode(chosen[-1][key]) if more and chosen else None)
