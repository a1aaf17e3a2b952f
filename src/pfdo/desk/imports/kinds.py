"""The sheets operators load besides attendance: children, programs, enrolments.

Each `Kind` is a column set (`columns.Field`), the columns that make a row the same as
another (a duplicate in one file is an error), the one API call a row becomes, and which
column a refusal of that call is about (`blame`: the first rule whose words the refusal's
message contains, else the kind's main column).

- children: `child`, `birth_date`, `municipality`, `number` (optional), `period` and
  `category` (optional, together); a row is `Ledger.issue_certificate`, then with a
  period `Ledger.fund_certificate` (a row refused at either step is wrong as a whole);
- programs: `program`, `provider`, `title`, `monthly_price`, `min_age`, `max_age`,
  `capacity`, `normative_price` (optional), `hours_per_month` and `hour_cost` (optional,
  together), `prolongation` (optional, yes/no, rule 23); a row is `Ledger.add_program`;
- enrolments: `number`, `program`, `start`, `end`, `mode` (optional, fixed); a row is
  `Ledger.enroll`.

A programs or enrolments row is its call with the columns as arguments, by key (`_given`):
a column is one parameter of the call, named alike, and an empty optional cell leaves its
parameter at the API's default. Which columns each sheet reads is held against the
parameters of its calls and the options of the matching commands (`program add`,
`enroll`, `certificate issue` and `fund`) by tests/cli/test_cli_import_columns.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from pfdo.desk.imports.columns import Field, choice, hours, rubles, sheet_date, whole

if TYPE_CHECKING:  # the Ledger is handed in: the desk sits below the facade
    from pfdo.ledger import Ledger

#: A row's calls: (ledger, values, business date, request id) -> how many commands it made.
Write = Callable[["Ledger", Mapping[str, Any], "date | str | None", str], int]
MOST_COMMANDS = 2  # the most commands one row makes (a child issued, then funded)
Check = Callable[[Mapping[str, Any]], list[tuple[str, str]]]
DATE = "YYYY-MM-DD or ДД.ММ.ГГГГ"
MODES = {"fixed": "fixed", "attendance": "attendance", "фикс": "fixed",
         "посещение": "attendance", "по посещению": "attendance"}  # fmt: skip
YES_NO = {"yes": "yes", "no": "no", "да": "yes", "нет": "no", "true": "yes", "false": "no",
          "1": "yes", "0": "no"}  # fmt: skip


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
    #: optional columns the kind gained after its first sheets were imported: left out of
    #: a row's request id when empty, so such a sheet imported again still replays
    added: tuple[str, ...] = ()

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
    check=lambda r: _together(r, "period", "category", "fund with both or neither"),
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
        Field(
            "normative_price",
            ("normative price", "норматив", "нормативная стоимость"),
            rubles,
            required=False,
            help="normative cost a month, the most a certificate pays (rule 15)",
        ),
        Field(
            "hours_per_month",
            ("hours per month", "часов в месяц", "человеко-часов в месяц"),
            hours,
            required=False,
            help="person-hours a month, 2 decimals (rule 21: social certificates)...",
        ),
        Field(
            "hour_cost",
            ("hour cost", "стоимость часа", "стоимость человеко-часа"),
            rubles,
            required=False,
            help="...and rubles a person-hour (both or neither)",
        ),
        Field(
            "prolongation",
            ("пролонгация", "автопролонгация"),
            lambda cell: choice(YES_NO)(cell) == "yes",
            required=False,
            help="yes/no: prolong its contracts into later periods (rule 23; default: yes)",
        ),
    ),
    key=("program",),
    write=lambda ledger, r, on, rid: _given(ledger.add_program, r, on, rid),
    check=lambda r: _together(
        r, "hours_per_month", "hour_cost", "a program offering hours needs both"
    ),
    added=("normative_price", "hours_per_month", "hour_cost", "prolongation"),
    blame_rules=(
        ("provider", "provider"),
        ("normative", "normative_price"),
        ("hours a month", "hours_per_month"),
        ("hours_per_month", "hours_per_month"),
        ("hour_cost", "hour_cost"),
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
    write=lambda ledger, r, on, rid: _given(ledger.enroll, r, on, rid),
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


def _given(
    call: Callable[..., object], r: Mapping[str, Any], on: date | str | None, rid: str
) -> int:
    """Make `call` with the row's columns as its arguments, by key; an empty optional cell
    is left out, so its parameter takes the API's default."""
    call(**{key: value for key, value in r.items() if value is not None}, on=on, request_id=rid)
    return 1


def _together(r: Mapping[str, Any], one: str, other: str, why: str) -> list[tuple[str, str]]:
    """Two optional columns given both or neither: the empty one is wrong."""
    pairs = ((one, other), (other, one))
    return [
        (a, f"empty, but {b} is given: {why}")
        for a, b in pairs
        if r[a] is None and r[b] is not None
    ]


KINDS = {kind.name: kind for kind in (CHILDREN, PROGRAMS, ENROLMENTS)}
