"""Decisions on periods: open one, close it, change a category's nominal, set how
providers are paid (rules 2, 12, 13, 16, 18); what they need of the counting of fundings
is `pfdo.domain.funding`'s, as changing a category's limits is.

Each decision takes the executor (what it reads with) and a validated command, lets the
aggregates decide, and returns the result with the aggregates it changed. Closing and
changing a nominal touch every certificate funded in the period: they find them in the
read models, brought level with the log first.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from pfdo.application import commands as cmd
from pfdo.application import results as res
from pfdo.application.decisions import invoicing as settlement
from pfdo.domain import closing, funding
from pfdo.domain.certificate import Certificate
from pfdo.domain.errors import AlreadyExists
from pfdo.domain.period import CategoryState, Municipality, Period
from pfdo.domain.units import unit_of

if TYPE_CHECKING:
    from pfdo.application.execution import Decision
    from pfdo.application.reading import Reader


def open_period(w: Reader, c: cmd.OpenPeriod) -> Decision[res.PeriodOpened]:
    if w.exists(Period, c.period):
        raise AlreadyExists(f"period {c.period} exists already", period=c.period)
    municipality = w.find(Municipality, c.municipality) or Municipality.register(
        c.municipality, c.on
    )
    municipality.add_period(c.period, c.start, c.end, c.on)
    states = {
        name: CategoryState(
            nominal=spec.nominal,
            count_limit=spec.count,
            sum_limit=spec.sum,
            funded_count=0,
            funded_sum=0,
            unit=spec.unit,
        )
        for name, spec in c.categories.items()
    }
    period = Period.open(c.period, c.municipality, c.start, c.end, states, c.on)
    shards = funding.open_period(period, c.on)
    result = res.PeriodOpened(
        period=c.period,
        municipality=c.municipality,
        start=c.start,
        end=c.end,
        categories=[
            res.CategoryResult(
                name=n, nominal=s.nominal, count_limit=s.count, sum_limit=s.sum, unit=s.unit
            )
            for n, s in c.categories.items()
        ],
    )
    return result, [municipality, period, *shards]


def close_period(w: Reader, c: cmd.ClosePeriod) -> Decision[res.PeriodClosed]:
    period = w.get(Period, c.period, "period")
    period.check_open()
    # what counts the fundings first: a funding counted after the read models were read
    # conflicts with this save
    counted = funding.before_close(w, period, c.on)
    w.settle()
    numbers = w.funded_numbers(c.period)
    unbilled = w.unbilled_months(c.period)
    certificates = _certificates(w, numbers)
    expired = closing.close_period(period, certificates, unbilled, c.on)
    result = res.PeriodClosed(
        period=c.period,
        expired=expired["rub"],
        expired_hours=expired["hours"],
        certificates=len(certificates),
        owed_by_providers=settlement.owed_at_close(w, c.period),
    )
    return result, [period, *counted, *certificates]


def change_nominal(w: Reader, c: cmd.ChangeNominal) -> Decision[res.NominalChanged]:
    period = w.get(Period, c.period, "period")

    def funded() -> list[Certificate]:
        w.settle()
        return _certificates(w, w.funded_numbers(c.period, c.category))

    delta, certificates, served, written = funding.change_nominal(
        w, period, c.category, c.nominal, c.on, funded
    )
    result = res.NominalChanged(
        period=c.period,
        category=c.category,
        nominal=c.nominal,
        delta=delta,
        certificates=len(certificates),
        funded_from_queue=[s.number for s in served],
        unit=unit_of(period.category(c.category)),
    )
    return result, [period, *written, *certificates, *served]


def change_settings(w: Reader, c: cmd.ChangeSettings) -> Decision[res.PeriodSettings]:
    period = w.get(Period, c.period, "period")
    period.change_settings(c.advance, c.final_billing_from, c.on)
    result = res.PeriodSettings(
        period=c.period,
        advance=period.advance_rate,
        final_billing_from=period.final_billing_from,
    )
    return result, [period]


def _certificates(w: Reader, numbers: Iterable[str]) -> list[Certificate]:
    return [w.get(Certificate, n, "certificate") for n in numbers]
