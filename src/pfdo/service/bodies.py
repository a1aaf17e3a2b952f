"""The bodies of the writing requests: the CLI's options with underscores (docs/CLI.md).

These models give the OpenAPI document its shapes and turn away what is not even of the
right JSON type (a list where text belongs, an unknown key); every value is then checked
by the library itself, as from the command line, so that both say the same. Amounts may
come as JSON text (`"1500.50"`, exact) or numbers; `on`, the business date, is optional
in every body.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

#: Rubles (or hours): text with up to two decimals, or a JSON number.
Amount = str | int | float


def amount(value: Amount | None) -> str | int | None:
    """An amount as the library takes it: text or a whole number."""
    return repr(value) if isinstance(value, float) else value


class Writing(BaseModel):
    """What every writing request may carry: the business date."""

    model_config = ConfigDict(extra="forbid")
    on: date | None = None

    def arguments(self, *leave: str) -> dict[str, Any]:
        """The body's fields given, as keyword arguments of the `Ledger` method, amounts
        as the library takes them; the fields named in `leave` are left out."""
        given = {k: getattr(self, k) for k in self.model_fields_set if k not in leave}
        return {
            k: amount(v) if isinstance(v, float) else v for k, v in given.items() if v is not None
        }


class CategoryIn(BaseModel):
    """A category of a new period."""

    model_config = ConfigDict(extra="forbid")
    name: str
    nominal: Amount
    unit: Literal["rub", "hours"] = "rub"
    count: int | None = None
    sum: Amount | None = None


class PeriodOpen(Writing):
    """`period open`."""

    period: str
    municipality: str
    start: date
    end: date
    categories: list[CategoryIn] = Field(min_length=1)

    def category_specs(self) -> dict[str, dict[str, Any]]:
        """The categories as `Ledger.open_period` takes them."""
        specs: dict[str, dict[str, Any]] = {}
        for c in self.categories:
            spec: dict[str, Any] = {"nominal": amount(c.nominal), "unit": c.unit}
            if c.count is not None:
                spec["count"] = c.count
            if c.sum is not None:
                spec["sum"] = amount(c.sum)
            specs[c.name] = spec
        return specs


class PeriodNominal(Writing):
    """`period nominal`."""

    category: str
    nominal: Amount


class PeriodLimits(Writing):
    """`period limits`."""

    category: str
    count: int | None = None
    sum: Amount | None = None


class PeriodSettings(Writing):
    """`period settings`."""

    advance: int | None = None
    final_billing_from: date | None = None


class ProviderAdd(Writing):
    """`provider add`."""

    provider: str
    name: str
    kind: Literal["municipal", "private", "sole-trader"] = "private"


class ProgramAdd(Writing):
    """`program add`."""

    program: str
    provider: str
    title: str
    monthly_price: Amount
    min_age: int
    max_age: int
    capacity: int | None = None
    normative_price: Amount | None = None
    hours_per_month: Amount | None = None
    hour_cost: Amount | None = None
    prolongation: bool = True


class ProgramSettings(Writing):
    """`program settings`."""

    prolongation: bool


class CertificateIssue(Writing):
    """`certificate issue`."""

    child: str
    birth_date: date
    municipality: str
    number: str | None = None


class Funding(Writing):
    """`certificate fund`."""

    period: str
    category: str
    queue: bool = False


class InPeriod(Writing):
    """`certificate unfund`."""

    period: str


class Move(Writing):
    """`certificate move`."""

    to: str


class Annulment(Writing):
    """`certificate annul`."""

    reason: str


class Enrolment(Writing):
    """`enroll`."""

    number: str
    program: str
    start: date
    end: date
    mode: Literal["fixed", "attendance"] = "fixed"


class Attendance(Writing):
    """`attend`: the lessons' dates; `absent` records them as missed."""

    dates: list[date] = Field(min_length=1)
    absent: bool = False


class Termination(Writing):
    """`terminate` (the date is `on`)."""

    reason: str = ""


class Correction(Writing):
    """`correct`."""

    month: str
    refund: Amount
    reason: str


class Continuation(Writing):
    """`contract continue --stop`: the only change to a continuation."""

    stop: Literal[True] = True


class Billing(Writing):
    """`bill`."""

    month: str


class Prolongation(Writing):
    """`prolong`."""

    period: str


class InvoiceFor(Writing):
    """`invoice advance`, `invoice issue`."""

    provider: str
    month: str


class Payment(Writing):
    """`invoice pay` (the date is `on`)."""

    invoice: str


class QueueLeave(Writing):
    """`queue leave`."""

    number: str
