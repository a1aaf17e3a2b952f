"""Period close with expiry (rule 12) and nominal change (rule 13).

Both act on every certificate funded in a period; the caller finds those certificates
(in the projections) and saves the period and all of them in one atomic `save`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from pfdo.domain.certificate import Certificate
from pfdo.domain.errors import Refused
from pfdo.domain.money import format_rubles
from pfdo.domain.period import Period
from pfdo.domain.units import HOURS, RUB, unit_of


def close_period(
    period: Period, certificates: Sequence[Certificate], unbilled: Sequence[str], on: date
) -> dict[str, int]:
    """Expire the available money of every certificate; return the total expired per
    unit (rule 22).

    `unbilled` names the contract months still open; any of them refuses the close.
    """
    period.check_open()
    if on < period.end:
        raise Refused(f"period {period.code} ends on {period.end}: it cannot close on {on}")
    still_reserved = [c.number for c in certificates if c.pot(period.code)["reserved"]]
    if unbilled or still_reserved:
        left = list(unbilled) or [f"certificate {n} holds reserved money" for n in still_reserved]
        shown = ", ".join(left[:20]) + (f" and {len(left) - 20} more" if len(left) > 20 else "")
        raise Refused(
            f"period {period.code} cannot close: {len(left)} contract month(s) are neither "
            f"billed nor cancelled: {shown}"
        )
    expired: dict[str, int] = {RUB: 0, HOURS: 0}
    for certificate in certificates:
        unit = unit_of(certificate.pot(period.code))
        expired[unit] += certificate.expire(period.code, on)
    period.close(expired[RUB], on, expired[HOURS])
    return expired


def change_nominal(
    period: Period, category: str, nominal: int, certificates: Sequence[Certificate], on: date
) -> int:
    """Raise or lower a category's nominal on every certificate funded in it."""
    if nominal <= 0:
        raise Refused(f"a nominal must be above zero, got {format_rubles(nominal)}")
    delta = period.change_nominal(category, nominal, on)
    short = [c.number for c in certificates if c.pot(period.code)["available"] < -delta]
    if short:
        raise Refused(
            f"lowering category {category} of period {period.code} by "
            f"{format_rubles(-delta)} is refused: {len(short)} certificate(s) have less "
            f"available, e.g. {', '.join(short[:10])}"
        )
    for certificate in certificates:
        if delta:
            certificate.change_nominal(period.code, delta, on)
    return delta
