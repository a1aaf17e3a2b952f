"""The pricing and billing arithmetic of rules 5, 6, 9 and 15 (docs/RULES.md), as pure functions.

Everything is integer kopecks and rounds down, except the largest-remainder split, which
hands the leftover kopecks one each to the months with the largest fractional parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from pfdo.domain.calendar import Month, days_in, first_day, last_day, months_between


@dataclass(frozen=True)
class MonthPrice:
    """One calendar month of a contract: its price and who pays what."""

    month: Month
    price: int
    certificate: int

    @property
    def parent(self) -> int:
        return self.price - self.certificate


def contract_days_in(month: Month, start: date, end: date) -> int:
    """d_m: the days of `month` inside the inclusive range start..end."""
    lo = max(start, first_day(month))
    hi = min(end, last_day(month))
    return max(0, (hi - lo).days + 1)


def month_prices(monthly_price: int, start: date, end: date) -> list[tuple[Month, int]]:
    """Rule 5: p_m = floor(monthly_price * d_m / D_m) for every month the contract touches."""
    return list(_month_prices(monthly_price, start, end))


@lru_cache(maxsize=4096)
def _month_prices(monthly_price: int, start: date, end: date) -> tuple[tuple[Month, int], ...]:
    """`month_prices` remembered: a prolongation run prices thousands of successors over
    the same few date ranges at a few prices."""
    return tuple(
        (month, monthly_price * contract_days_in(month, start, end) // days_in(month))
        for month in months_between(start, end)
    )


def split_share(share: int, prices: list[int]) -> list[int]:
    """Rule 6: split the certificate share over months by the largest-remainder method.

    Month m gets floor(s * p_m / P); the kopecks left go one each to the months with the
    largest fractional parts (s * p_m mod P), ties to the earlier month.
    """
    total = sum(prices)
    if total == 0:
        return [0 for _ in prices]
    if not 0 <= share <= total:
        raise ValueError(f"share {share} outside 0..{total}")
    parts = [share * p // total for p in prices]
    leftover = share - sum(parts)
    by_remainder = sorted(range(len(prices)), key=lambda i: (-(share * prices[i] % total), i))
    for index in by_remainder[:leftover]:
        parts[index] += 1
    return parts


def normative_cost(normative_price: int | None, start: date, end: date) -> int | None:
    """Rule 15: N = sum(n_m), n_m = floor(N_month * d_m / D_m); None without a normative."""
    if normative_price is None:
        return None
    return sum(n for _, n in month_prices(normative_price, start, end))


def certificate_share(price: int, normative: int | None, available: int) -> int:
    """Rules 6 and 15: s = min(P, N, available), never below zero."""
    cap = price if normative is None else min(price, normative)
    return min(cap, max(0, available))


def contract_schedule(
    monthly_price: int,
    start: date,
    end: date,
    available: int,
    normative_price: int | None = None,
) -> list[MonthPrice]:
    """Rules 5, 6 and 15 together: each month's price and certificate part for a new
    contract; the share is split by the month prices, whatever caps it."""
    priced = month_prices(monthly_price, start, end)
    prices = [p for _, p in priced]
    share = certificate_share(sum(prices), normative_cost(normative_price, start, end), available)
    parts = split_share(share, prices)
    return [MonthPrice(month, p, c) for (month, p), c in zip(priced, parts, strict=True)]


@dataclass(frozen=True)
class MonthBill:
    """What billing one contract month moves: charged and released certificate money,
    and what the parents owe."""

    charged: int
    released: int
    parent: int


def bill_fixed(price: int, certificate: int) -> MonthBill:
    """Rule 9, fixed mode: the whole certificate part is charged."""
    return MonthBill(charged=certificate, released=0, parent=price - certificate)


def bill_attendance(price: int, certificate: int, present: int, recorded: int) -> MonthBill:
    """Rule 9, attendance mode: pay in proportion to lessons attended (a of n)."""
    if recorded <= 0 or not 0 <= present <= recorded:
        raise ValueError(f"attendance {present} of {recorded} cannot be billed")
    charged = certificate * present // recorded
    parent = (price - certificate) * present // recorded
    return MonthBill(charged=charged, released=certificate - charged, parent=parent)
