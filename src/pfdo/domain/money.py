"""Money: integer kopecks inside, rubles as decimal strings at the edges.

Floats never touch money. Input accepts `1500`, `1500.5` or `1500.00`; a third decimal
place, a sign or anything else is an input error. Output is always two decimals.
"""

from __future__ import annotations

import re

from pfdo.domain.errors import InvalidInput

Kopecks = int

_RUBLES = re.compile(r"^(\d{1,12})(?:\.(\d{1,2}))?$")


def parse_rubles(text: str | int, what: str = "amount") -> Kopecks:
    """Parse a ruble amount (`"1500.50"`) into kopecks (`150050`)."""
    raw = str(text).strip()
    match = _RUBLES.match(raw)
    if match is None:
        raise InvalidInput(
            f"{what} {raw!r} is not an amount in rubles: expected digits with at most "
            "two decimals and no sign, like 1500 or 1500.50"
        )
    whole, fraction = match.group(1), (match.group(2) or "").ljust(2, "0")
    return int(whole) * 100 + int(fraction)


def format_rubles(kopecks: Kopecks) -> str:
    """Format kopecks as rubles with two decimals: `150050` -> `"1500.50"`."""
    sign = "-" if kopecks < 0 else ""
    whole, fraction = divmod(abs(kopecks), 100)
    return f"{sign}{whole}.{fraction:02d}"
