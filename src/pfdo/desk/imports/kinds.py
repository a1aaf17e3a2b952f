"""The sheets operators load besides attendance: children, programs, enrolments.

Each `Kind` is a column set (`columns.Field`), the columns that make a row the same as
another (a duplicate in one file is an error), the one API call a row becomes, and which
column a refusal of that call is about (`blame`: the first rule whose words the refusal's
message contains, else the kind's main column).

- children: `child`, `birth_date`, `municipality`, `number` (optional), `period` and
  `category` (optional, together); a row is `Ledger.issue_certificate`, then with a
  period `Ledger.fund_certificate` (a row refused at either step is wrong as a whole);
- programs: `program`, `provider`, `title`, `monthly_price`, `min_age`, `max_age`,
  `capacity` (optional); a row is `Ledger.add_program`;
- enrolments: `number`, `program`, `start`, `end`, `mode` (optional, fixed); a row is
  `Ledger.enroll`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from pfdo.desk.imports.columns import Field, choice, rubles, sheet_date, whole

if TYPE_CHECKING:  # the Ledger is handed in: the desk sits below the facade
    from pfdo.ledger import Ledger

#: A row's calls: (ledger, values, business date, request id) -> how many commands it made.
Write = Callable[["Ledger", Mapping[str, Any], "date | str | None", str], int]
MOST_COMMANDS = 2  # the most commands one row makes (a child issued, then funded)
Check = Callable[[Mapping[str, Any]], list[tuple[str, str]]]
DATE = "YYYY-MM-DD or ДД.ММ.ГГГГ"
MODES = {"fixed": "fixed", "attendance": "attendance", "фикс": "fixed",
         "посещение": "attendance", "по посещению": "attendance"}  # fmt: skip


@dataclass(frozen=True)
class Kind:
    """One kind of sheet: its columns and what a row of it does."""

    name: str
    what: str  # how messages name a file of this kind
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    write: Write
    blame_rules: tuple[tuple[str, str], ...]
    check: Check = lambda values: []  # cells wrong together: (column, reason)

    def blame(self, reason: str) -> str:
        """The column a refusal is about."""
        return next((col for words, col in self.blame_rules if words in reason), self.key[0])


CHILDREN = Kind(
    name="children",
    what="children sheet",
    fields=(
        Field("child", ("ребёнок", "ребенок", "код ребёнка"), help="the child's pseudonymous id"),
        Field("birth_date", ("birth date", "дата рождения"), sheet_date, help=DATE),
        Field("municipality", ("муниципалитет",), help="the municipality's code"),
        Field(
            "number",
            ("номер", "сертификат", "номер сертификата"),
            required=False,
            help="10 digits (default: generated)",
        ),
        Field("period", ("период",), required=False, help="fund for this period..."),
        Field("category", ("категория", "группа"), required=False, help="...in this category"),
    ),
    key=("child",),
    write=lambda ledger, r, on, rid: _child(ledger, r, on, rid),
    check=lambda r: [
        (key, f"empty, but {other} is given: fund with both or neither")
        for key, other in (("period", "category"), ("category", "period"))
        if r[key] is None and r[other] is not None
    ],
    blame_rules=(
        ("limit", "category"),
        ("category", "category"),
        ("period", "period"),
        ("aged", "birth_date"),
        ("birth", "birth_date"),
        ("number", "number"),
        ("municipality", "municipality"),
    ),
)

PROGRAMS = Kind(
    name="programs",
    what="programs sheet",
    fields=(
        Field("program", ("программа", "код программы"), help="the program's code"),
        Field("provider", ("поставщик",), help="its provider's code (the provider exists)"),
        Field("title", ("название", "наименование"), help="the program's title"),
        Field(
            "monthly_price",
            ("monthly price", "цена", "цена в месяц"),
            rubles,
            help="rubles a month: 1500, 1500,50 or 1500.50",
        ),
        Field("min_age", ("min age", "возраст от"), whole, help="youngest age"),
        Field("max_age", ("max age", "возраст до"), whole, help="oldest age"),
        Field(
            "capacity",
            ("мест", "вместимость"),
            whole,
            required=False,
            help="contracts at once (default: no limit)",
        ),
    ),
    key=("program",),
    write=lambda ledger, r, on, rid: _one(
        ledger.add_program(
            r["program"],
            provider=r["provider"],
            title=r["title"],
            monthly_price=r["monthly_price"],
            min_age=r["min_age"],
            max_age=r["max_age"],
            capacity=r["capacity"],
            on=on,
            request_id=rid,
        )
    ),
    blame_rules=(
        ("provider", "provider"),
        ("price", "monthly_price"),
        ("age band", "min_age"),
        ("min_age", "min_age"),
        ("max_age", "max_age"),
        ("capacity", "capacity"),
        ("title", "title"),
    ),
)

ENROLMENTS = Kind(
    name="enrolments",
    what="enrolments sheet",
    fields=(
        Field("number", ("сертификат", "номер сертификата"), help="the certificate's number"),
        Field("program", ("программа",), help="the program's code"),
        Field("start", ("начало", "дата начала"), sheet_date, help=DATE),
        Field("end", ("окончание", "дата окончания"), sheet_date, help=DATE),
        Field(
            "mode",
            ("режим",),
            choice(MODES),
            required=False,
            help="fixed (default) or attendance (фикс, по посещению)",
        ),
    ),
    key=("number", "program", "start"),
    write=lambda ledger, r, on, rid: _one(
        ledger.enroll(
            r["number"],
            program=r["program"],
            start=r["start"],
            end=r["end"],
            mode=r["mode"] or "fixed",
            on=on,
            request_id=rid,
        )
    ),
    blame_rules=(
        ("age band", "number"),
        ("turns 18", "number"),
        ("capacity", "program"),
        ("program", "program"),
        ("outside period", "start"),
        ("cannot end", "end"),
        ("certificate", "number"),
    ),
)


def _child(ledger: Ledger, r: Mapping[str, Any], on: date | str | None, rid: str) -> int:
    """Issue the child's certificate and, with a period, fund it."""
    issued = ledger.issue_certificate(
        child=r["child"], birth_date=r["birth_date"], municipality=r["municipality"],
        number=r["number"], on=on, request_id=rid,
    )  # fmt: skip
    if r["period"] is None:
        return 1
    ledger.fund_certificate(
        issued.number, period=r["period"], category=r["category"], on=on, request_id=f"{rid}:f"
    )
    return 2


def _one(_: object) -> int:
    return 1


KINDS = {kind.name: kind for kind in (CHILDREN, PROGRAMS, ENROLMENTS)}
