"""Money: integer kopecks inside, rubles as decimal strings at the edges.

Floats never touch money. Input accepts `1500`, `1500.5` or `1500.00` in ASCII digits; a
third decimal place, a sign, other digits (`١٥٠٠`, `１５００`) or anything else is an input
error, and so is an amount above the limit: `MAX_AMOUNT` for a price, nominal or refund,
`MAX_TOTAL` for a total such as a category's sum limit. Output is always two decimals.
"""

from __future__ import annotations

import re

from pfdo.domain.errors import InvalidInput

Kopecks = int

#: The largest price, nominal or refund: a yearly nominal is 6,000-30,000 rubles and a
#: monthly price 500-3,000, so this leaves room for any real one and refuses typos.
MAX_AMOUNT: Kopecks = 99_999_999_99
#: The largest total, such as a category's sum limit (600,000 certificates at 30,000).
MAX_TOTAL: Kopecks = 999_999_999_999_99

_RUBLES = re.compile(r"([0-9]+)(?:\.([0-9]{1,2}))?", re.ASCII)


def parse_rubles(
    text: str | int, what: str = "amount", limit: Kopecks | None = None, unit: str = "rubles"
) -> Kopecks:
    """Parse a ruble amount (`"1500.50"`) into kopecks (`150050`), at most `limit`; an
    amount of hours (`unit="hours"`) reads the same into hundredths."""
    raw = str(text).strip()
    match = _RUBLES.fullmatch(raw)
    if match is None:
        raise InvalidInput(
            f"{what} {raw!r} is not an amount in {unit}: expected digits 0-9 with at most "
            "two decimals and no sign, like 1500 or 1500.50"
        )
    whole, fraction = match.group(1).lstrip("0"), (match.group(2) or "").ljust(2, "0")
    kopecks = int(whole or "0") * 100 + int(fraction) if len(whole) <= 15 else None
    if limit is not None and (kopecks is None or kopecks > limit):
        raise InvalidInput(f"{what} {raw} is too large: at most {format_limit(limit)} {unit}")
    if kopecks is None:
        raise InvalidInput(f"{what} {raw} is too large")
    return kopecks


def format_limit(kopecks: Kopecks) -> str:
    """A limit as people read it: `9999999999` -> `"99,999,999.99"`."""
    whole, fraction = divmod(kopecks, 100)
    return f"{whole:,}.{fraction:02d}"


def format_rubles(kopecks: Kopecks) -> str:
    """Format kopecks as rubles with two decimals: `150050` -> `"1500.50"`."""
    sign = "-" if kopecks < 0 else ""
    whole, fraction = divmod(abs(kopecks), 100)
    return f"{sign}{whole}.{fraction:02d}"
