"""The commands pfdo accepts, validated by pydantic at the edge of the public API.

Each command is a frozen model. Amounts come in as rubles and are held as kopecks; dates and
months are checked; identifiers, texts and counts obey the limits of
`pfdo.application.fields`. The business date may lie at most `MAX_DAYS_AHEAD` days after
today. A malformed command raises `InvalidInput` naming the field and the problem, before
anything is read or written."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any, ClassVar, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from pfdo.application.actors import Actor
from pfdo.application.fields import (
    CertificateNumber,
    Code,
    ContractCode,
    Count,
    DateIn,
    HoursIn,
    MonthIn,
    OptionalText,
    RublesIn,
    Text,
    TotalRublesIn,
)
from pfdo.domain.errors import InvalidInput
from pfdo.domain.units import Unit

C = TypeVar("C", bound="Command")

#: How far after today a business date may lie: a year, no more (a typo like 2099 is not).
MAX_DAYS_AHEAD = 366


class Command(BaseModel):
    """A writing command: a business date, who asked for it (`actor`, rule 25; None: the
    default of the `Ledger` that runs it) and the command's own fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)
    verb: ClassVar[str] = "command"
    #: fields added after a release: out of a request's fingerprint unless given, so a
    #: request recorded before them still replays
    later: ClassVar[tuple[str, ...]] = ()

    on: DateIn = Field(default_factory=date.today)
    actor: Actor | None = None

    @field_validator("on")
    @classmethod
    def _not_far_ahead(cls, on: date) -> date:
        today = date.today()
        if on > today + timedelta(days=MAX_DAYS_AHEAD):
            raise ValueError(
                f"business date {on} is more than {MAX_DAYS_AHEAD} days after today ({today})"
            )
        return on

    @classmethod
    def build(cls: type[C], **fields: Any) -> C:
        """Validate `fields` into a command. None leaves out an optional field whose
        default is None (or today, the business date `on`); a field that is required or
        has another default (`present=True`) refuses None as it refuses any wrong type."""
        given = {
            k: v for k, v in fields.items() if v is not None or not _none_means_default(cls, k)
        }
        try:
            return cls.model_validate(given)
        except ValidationError as error:
            raise InvalidInput(*_describe(cls.verb, error)) from None


def _ends_before(what: str, start: date) -> PydanticCustomError:
    """An end before its start: malformed input, said on the field `end`."""
    return PydanticCustomError(
        "end_before_start", "{what} before it starts ({start})", {"what": what, "start": start}
    )


def _none_means_default(cls: type[BaseModel], name: str) -> bool:
    field = cls.model_fields.get(name)
    if field is None:
        return False  # an unknown field is refused by name
    return not field.is_required() and (field.default is None or field.default_factory is not None)


#: pydantic's error types, said as what was expected
_EXPECTED = {
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "text",
    "dict_type": "a mapping",
    "tuple_type": "a list",
    "list_type": "a list",
    "int_type": "a whole number",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def _kind(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple | set | frozenset):
        return "a list"
    return f"a {type(value).__name__}"


def _reason(item: Any) -> str:
    """One field's problem, said for a person: what was expected and what came."""
    message = str(item["msg"]).removeprefix("Value error, ")
    value = item.get("input")
    if item["type"] == "missing":
        return "is required"
    if item["type"] == "extra_forbidden":
        return "is not a field of this command"
    expected = _EXPECTED.get(item["type"])
    if expected is not None:
        return f"expected {expected}, got {_kind(value)}"
    if value is None and "None" not in message:
        return f"a value is required, got None ({message})"
    return message


def _describe(command: str, error: ValidationError) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The message of an `InvalidInput` for a command's `ValidationError`, and its fields."""
    problems, fields = [], []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "input"
        reason = _reason(item)
        fields.append((where, reason.removeprefix(f"{where} ")))
        problems.append(reason if reason.startswith(f"{where} ") else f"{where}: {reason}")
    return f"{command}: " + "; ".join(problems), tuple(fields)


class CategorySpec(BaseModel):
    """A category of a period: nominal and optional limits, in its unit (rule 21: rubles
    or person-hours, both with two decimals)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    nominal: RublesIn
    count: Count | None = Field(default=None, ge=0)
    sum: TotalRublesIn | None = None
    unit: Unit = "rub"


class OpenPeriod(Command):
    verb: ClassVar[str] = "period open"
    period: Code
    municipality: Code
    start: DateIn
    end: DateIn
    categories: dict[Code, CategorySpec] = Field(min_length=1)

    @field_validator("end")
    @classmethod
    def _ends_after_start(cls, end: date, info: ValidationInfo) -> date:
        start = info.data.get("start")
        if start is not None and end < start:
            raise _ends_before(f"period {info.data.get('period')} ends ({end})", start)
        return end


class ClosePeriod(Command):
    verb: ClassVar[str] = "period close"
    period: Code


class ChangeNominal(Command):
    verb: ClassVar[str] = "period nominal"
    period: Code
    category: Code
    nominal: RublesIn


class AddProvider(Command):
    verb: ClassVar[str] = "provider add"
    provider: Code
    name: Text
    kind: str = Field(default="private", pattern=r"^(municipal|private|sole-trader)$")


class ExcludeProvider(Command):
    verb: ClassVar[str] = "provider exclude"
    provider: Code


class AddProgram(Command):
    verb: ClassVar[str] = "program add"
    program: Code
    provider: Code
    title: Text
    monthly_price: RublesIn
    min_age: Count = Field(ge=0, le=18)
    max_age: Count = Field(ge=0, le=18)
    capacity: Count | None = Field(default=None, ge=1)
    normative_price: RublesIn | None = None
    #: rule 21: hours a month (two decimals) and rubles a person-hour, both or neither
    hours_per_month: HoursIn | None = None
    hour_cost: RublesIn | None = None
    #: rule 23: whether its contracts are prolonged into later periods
    prolongation: StrictBool = True
    later: ClassVar[tuple[str, ...]] = ("prolongation",)

    @model_validator(mode="after")
    def _hours_in_pairs(self) -> AddProgram:
        if (self.hours_per_month is None) != (self.hour_cost is None):
            raise ValueError(
                "hours_per_month and hour_cost go together: a program offering hours "
                "needs both, one without hours neither"
            )
        return self


class WithdrawProgram(Command):
    verb: ClassVar[str] = "program withdraw"
    program: Code


class IssueCertificate(Command):
    verb: ClassVar[str] = "certificate issue"
    child: Code
    birth_date: DateIn
    municipality: Code
    number: CertificateNumber | None = None


class FundCertificate(Command):
    verb: ClassVar[str] = "certificate fund"
    number: CertificateNumber
    period: Code
    category: Code
    queue: StrictBool = False


class _CertificateInPeriod(Command):
    number: CertificateNumber
    period: Code


class UnfundCertificate(_CertificateInPeriod):
    verb: ClassVar[str] = "certificate unfund"


class LeaveQueue(_CertificateInPeriod):
    verb: ClassVar[str] = "queue leave"


class MoveCertificate(Command):
    verb: ClassVar[str] = "certificate move"
    number: CertificateNumber
    to: Code


class AnnulCertificate(Command):
    verb: ClassVar[str] = "certificate annul"
    number: CertificateNumber
    reason: Text


class ChangeLimits(Command):
    verb: ClassVar[str] = "period limits"
    period: Code
    category: Code
    count: Count | None = Field(default=None, ge=0)
    sum: TotalRublesIn | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> ChangeLimits:
        if self.count is None and self.sum is None:
            raise ValueError("give a count limit, a sum limit or both")
        return self


class ChangeSettings(Command):
    verb: ClassVar[str] = "period settings"
    period: Code
    advance: Count | None = Field(default=None, ge=0, le=100)
    final_billing_from: DateIn | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> ChangeSettings:
        if self.advance is None and self.final_billing_from is None:
            raise ValueError("give an advance rate, a final billing date or both")
        return self


class Enrol(Command):
    verb: ClassVar[str] = "enroll"
    number: CertificateNumber
    program: Code
    start: DateIn
    end: DateIn
    mode: str = Field(default="fixed", pattern=r"^(fixed|attendance)$")

    @field_validator("end")
    @classmethod
    def _ends_after_start(cls, end: date, info: ValidationInfo) -> date:
        start = info.data.get("start")
        if start is not None and end < start:
            raise _ends_before(f"a contract cannot end ({end})", start)
        return end


class RecordAttendance(Command):
    verb: ClassVar[str] = "attend"
    contract: ContractCode
    dates: tuple[DateIn, ...] = Field(min_length=1)
    present: StrictBool = True

    @field_validator("dates", mode="before")
    @classmethod
    def _a_list(cls, dates: Any) -> Any:
        if isinstance(dates, str | bytes) or not isinstance(dates, Iterable):
            raise ValueError(f"expected a list of dates, got {_kind(dates)}")
        return tuple(dates)

    @classmethod
    def build(cls: type[C], **fields: Any) -> C:
        """As every command's `build`; lessons given as `date`s (a journal's, read from a
        sheet) are checked on the first one and taken as they are: a `date` is a valid
        `DateIn` as it is, so the command is the one validating them all would give."""
        dates = fields.get("dates")
        if isinstance(dates, list):
            dates = fields["dates"] = tuple(dates)
        if isinstance(dates, tuple) and len(dates) > 1 and set(map(type, dates)) == {date}:
            first = super().build(**{**fields, "dates": dates[:1]})
            return first.model_copy(update={"dates": dates})
        return super().build(**fields)


class BillMonth(Command):
    verb: ClassVar[str] = "bill"
    month: MonthIn


class Terminate(Command):
    verb: ClassVar[str] = "terminate"
    contract: ContractCode
    reason: OptionalText = ""


class StopContinuation(Command):
    verb: ClassVar[str] = "contract continue --stop"
    contract: ContractCode


class Prolong(Command):
    verb: ClassVar[str] = "prolong"
    period: Code


class SetProlongation(Command):
    verb: ClassVar[str] = "program settings"
    program: Code
    prolongation: StrictBool


class Correct(Command):
    verb: ClassVar[str] = "correct"
    contract: ContractCode
    month: MonthIn
    refund: RublesIn
    reason: Text


class _ProviderMonth(Command):
    provider: Code
    month: MonthIn


class IssueAdvance(_ProviderMonth):
    verb: ClassVar[str] = "invoice advance"


class IssueInvoice(_ProviderMonth):
    verb: ClassVar[str] = "invoice issue"


class PayInvoice(Command):
    verb: ClassVar[str] = "invoice pay"
    invoice: Text
