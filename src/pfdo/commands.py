"""The commands pfdo accepts, validated by pydantic at the edge of the public API.

Each command is a frozen model. Amounts come in as rubles and are held as kopecks; dates
and months are checked. A malformed command raises `InvalidInput` naming the field and
the problem, before anything is read or written.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pfdo.domain.errors import InvalidInput
from pfdo.types import DateIn, MonthIn, RublesIn

C = TypeVar("C", bound="Command")


class Command(BaseModel):
    """A writing command: a business date and the command's own fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)
    verb: ClassVar[str] = "command"

    on: DateIn = Field(default_factory=date.today)

    @classmethod
    def build(cls: type[C], **fields: Any) -> C:
        """Validate `fields` into a command, dropping unset optional ones."""
        given = {k: v for k, v in fields.items() if v is not None}
        try:
            return cls.model_validate(given)
        except ValidationError as error:
            raise InvalidInput(_describe(cls.verb, error)) from None


def _describe(command: str, error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "input"
        message = str(item["msg"]).removeprefix("Value error, ")
        problems.append(message if message.startswith(f"{where} ") else f"{where}: {message}")
    return f"{command}: " + "; ".join(problems)


Code = str


def _code(value: str) -> str:
    if not value or len(value) > 64 or any(ch.isspace() for ch in value):
        raise ValueError("must be 1 to 64 characters without spaces")
    return value


class CategorySpec(BaseModel):
    """A category of a period: nominal and optional limits."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    nominal: RublesIn
    count: int | None = Field(default=None, ge=0)
    sum: RublesIn | None = None


class OpenPeriod(Command):
    verb: ClassVar[str] = "period open"
    period: Code
    municipality: Code
    start: DateIn
    end: DateIn
    categories: dict[str, CategorySpec] = Field(min_length=1)

    _check_codes = field_validator("period", "municipality")(_code)


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
    name: str = Field(min_length=1, max_length=500)
    kind: str = Field(default="private", pattern=r"^(municipal|private|sole-trader)$")

    _check_codes = field_validator("provider")(_code)


class ExcludeProvider(Command):
    verb: ClassVar[str] = "provider exclude"
    provider: Code


class AddProgram(Command):
    verb: ClassVar[str] = "program add"
    program: Code
    provider: Code
    title: str = Field(min_length=1, max_length=500)
    monthly_price: RublesIn
    min_age: int = Field(ge=0, le=18)
    max_age: int = Field(ge=0, le=18)
    capacity: int | None = Field(default=None, ge=1)

    _check_codes = field_validator("program")(_code)


class WithdrawProgram(Command):
    verb: ClassVar[str] = "program withdraw"
    program: Code


class IssueCertificate(Command):
    verb: ClassVar[str] = "certificate issue"
    child: str = Field(min_length=1, max_length=128)
    birth_date: DateIn
    municipality: Code
    number: str | None = Field(default=None, pattern=r"^\d{10}$")


class FundCertificate(Command):
    verb: ClassVar[str] = "certificate fund"
    number: str = Field(pattern=r"^\d{10}$")
    period: Code
    category: Code


class Enrol(Command):
    verb: ClassVar[str] = "enroll"
    number: str = Field(pattern=r"^\d{10}$")
    program: Code
    start: DateIn
    end: DateIn
    mode: str = Field(default="fixed", pattern=r"^(fixed|attendance)$")


class RecordAttendance(Command):
    verb: ClassVar[str] = "attend"
    contract: Code
    dates: tuple[DateIn, ...] = Field(min_length=1)
    present: bool = True


class BillMonth(Command):
    verb: ClassVar[str] = "bill"
    month: MonthIn


class Terminate(Command):
    verb: ClassVar[str] = "terminate"
    contract: Code
    reason: str = ""


class Correct(Command):
    verb: ClassVar[str] = "correct"
    contract: Code
    month: MonthIn
    refund: RublesIn
    reason: str = Field(min_length=1, max_length=1000)
