"""Input that cannot lie: what a hostile or careless user types is refused, and nothing is
written.

Numbers take ASCII digits only (`١٥٠٠` and `２０００` look like numbers and are not);
dates are `YYYY-MM-DD` and months `YYYY-MM`, nothing else; identifiers are 1-64 visible
characters (no zero-width or control characters, no spaces around them); texts are at
most 1,000 characters; amounts at most 99,999,999.99 rubles; business dates at most 366
days ahead; a report about a period that does not exist is refused; and a child has one
contract per program at a time (rule 14). Malformed input exits 2, a refusal 1, each
with its one `Error:` line.
"""

from __future__ import annotations

import pytest
from cli_helpers import CONTRACT, NUMBER, Pfdo, one_error_line

from pfdo import Ledger

ISSUE = ("certificate", "issue", "--birth-date", "2015-06-01", "--on", "2025-01-10")
ADD_ART = (
    "program", "add", "art", "--provider", "school-1", "--title", "Art",
    "--min-age", "5", "--max-age", "12", "--on", "2025-01-01",
)  # fmt: skip
ENROLL = ("enroll", NUMBER, "--program", "chess", "--on", "2025-01-12")
LONG = "x" * 10_000


def log_position(pfdo: Pfdo) -> int:
    with Ledger(pfdo.db) as ledger:
        return ledger.log_position()


def malformed(pfdo: Pfdo, *args: str) -> str:
    """Exit 2 with one `Error:` line, and the log as it was."""
    before = log_position(pfdo)
    error = one_error_line(pfdo.malformed(*args))
    assert log_position(pfdo) == before
    return error


def refused(pfdo: Pfdo, *args: str) -> str:
    """Exit 1 with one `Error:` line, and the log as it was."""
    before = log_position(pfdo)
    error = pfdo.refused(*args)
    assert log_position(pfdo) == before
    return error


# -- numbers are ASCII digits -------------------------------------------------------------


@pytest.mark.parametrize("price", ["١٥٠٠", "１５００", "1_500", "1500 x", "٠.٥"])
def test_a_price_in_other_digits_or_forms_is_malformed(year: Pfdo, price: str) -> None:
    assert malformed(year, *ADD_ART, "--monthly-price", price) == (
        f"Error: program add: monthly_price: amount {price.strip()!r} is not an amount in "
        "rubles: expected digits 0-9 with at most two decimals and no sign, like 1500 or 1500.50"
    )


def test_a_price_above_the_limit_says_the_limit(year: Pfdo) -> None:
    assert malformed(year, *ADD_ART, "--monthly-price", "9999999999999") == (
        "Error: program add: monthly_price: amount 9999999999999 is too large: "
        "at most 99,999,999.99 rubles"
    )


def test_the_largest_price_is_accepted(year: Pfdo) -> None:
    added = year.json(*ADD_ART, "--monthly-price", "99999999.99")
    assert added["monthly_price"] == "99999999.99"


def test_a_refund_above_the_limit_says_the_limit(year: Pfdo) -> None:
    year.enroll()
    error = malformed(
        year, "correct", CONTRACT, "--month", "2025-01", "--refund", "100000000", "--reason", "r"
    )
    assert error == (
        "Error: correct: refund: amount 100000000 is too large: at most 99,999,999.99 rubles"
    )


def test_a_certificate_number_in_fullwidth_digits_is_malformed(pfdo: Pfdo) -> None:
    error = malformed(
        pfdo, *ISSUE, "--child", "c-2", "--municipality", "city", "--number", "２０００００００１２"
    )
    assert error == (
        "Error: certificate issue: number: '２０００００００１２' is not a certificate number: "
        "expected 10 digits 0-9"
    )


@pytest.mark.parametrize("command", ["balance", "history"])
def test_a_report_on_a_number_in_arabic_indic_digits_is_malformed(year: Pfdo, command: str) -> None:
    assert malformed(year, command, "١٠٠٠٠٠٠٠٠١") == (
        f"Error: {command}: number: '١٠٠٠٠٠٠٠٠١' is not a certificate number: "
        "expected 10 digits 0-9"
    )


@pytest.mark.parametrize(("option", "value"), [("--min-age", "５"), ("--capacity", "١٠")])
def test_ages_and_capacities_in_other_digits_are_malformed(
    year: Pfdo, option: str, value: str
) -> None:
    args = [*ADD_ART, "--monthly-price", "2000"]
    if option == "--min-age":
        args[args.index("--min-age") + 1] = value
    else:
        args += [option, value]
    field = option.removeprefix("--").replace("-", "_")
    assert malformed(year, *args) == (
        f"Error: program add: {field}: {value!r} is not a whole number: expected 1 to 9 digits 0-9"
    )


def test_a_category_count_in_other_digits_is_malformed(pfdo: Pfdo) -> None:
    stderr = pfdo.malformed(
        "period", "open", "2025", "--municipality", "city", "--start", "2025-01-01",
        "--end", "2025-12-31", "--category", "base=12000,count=١٠",
    )  # fmt: skip
    assert stderr.splitlines()[-1] == (
        "Error: Invalid value for '--category': count '١٠' in 'base=12000,count=١٠' "
        "is not a whole number"
    )
    assert log_position(pfdo) == 0


# -- dates are YYYY-MM-DD, months YYYY-MM -------------------------------------------------


@pytest.mark.parametrize("start", ["20250115", "2025-W03-3", "２０２５-01-15", "2025-01-15\n"])
def test_a_date_in_another_form_is_malformed(year: Pfdo, start: str) -> None:
    assert malformed(year, *ENROLL, "--start", start, "--end", "2025-04-10") == (
        f"Error: enroll: start: date {start!r} is not a date in the form YYYY-MM-DD"
    )


@pytest.mark.parametrize("month", ["202501", "２０２５-01", "2025-1", "2025-01\n"])
def test_a_month_in_another_form_is_malformed(year: Pfdo, month: str) -> None:
    assert malformed(year, "bill", "--month", month, "--on", "2025-06-01") == (
        f"Error: bill: month {month!r} is not a month in the form YYYY-MM"
    )


def test_a_business_date_more_than_a_year_ahead_is_malformed(year: Pfdo) -> None:
    error = malformed(year, "provider", "add", "school-9", "--name", "S", "--on", "2099-01-01")
    assert error.startswith(
        "Error: provider add: on: business date 2099-01-01 is more than 366 days after today ("
    )


# -- identifiers are visible text, names and reasons have one limit -----------------------


def test_a_child_id_with_a_zero_width_space_is_malformed(year: Pfdo) -> None:
    error = malformed(year, *ISSUE, "--child", "child\u200b-1", "--municipality", "city")
    assert error == (
        "Error: certificate issue: child: 'child\\u200b-1' contains U+200B ZERO WIDTH SPACE: "
        "it must be 1-64 characters, no spaces (visible characters only)"
    )


@pytest.mark.parametrize(
    ("child", "character"),
    [
        ("child-1\u200d", "U+200D ZERO WIDTH JOINER"),
        ("\ufeffchild-1", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ("child\x07-1", "U+0007 unnamed character"),
        ("child\u2028-1", "U+2028 LINE SEPARATOR"),
        (" child-1", "U+0020 SPACE"),
        ("child-1\u00a0", "U+00A0 NO-BREAK SPACE"),
    ],
)
def test_a_child_id_with_an_invisible_character_or_space_is_malformed(
    year: Pfdo, child: str, character: str
) -> None:
    error = malformed(year, *ISSUE, "--child", child, "--municipality", "city")
    assert f"contains {character}: it must be 1-64 characters, no spaces" in error


def test_a_child_id_is_compared_in_nfc_so_a_decomposed_one_is_the_same_child(
    pfdo: Pfdo,
) -> None:
    pfdo.json(*ISSUE, "--child", "Ёлка-1", "--municipality", "city", "--number", NUMBER)
    assert refused(pfdo, *ISSUE, "--child", "Е\u0308лка-1", "--municipality", "city") == (
        f"Error: child Ёлка-1 already has certificate {NUMBER}"
    )


@pytest.mark.parametrize(("municipality", "length"), [("", "0"), (LONG, "10,000")])
def test_an_empty_or_overlong_municipality_is_malformed(
    pfdo: Pfdo, municipality: str, length: str
) -> None:
    error = malformed(pfdo, *ISSUE, "--child", "c-1", "--municipality", municipality)
    assert error == (
        "Error: certificate issue: municipality: must be 1-64 characters, no spaces; "
        f"got {length} characters"
    )


def test_an_overlong_category_name_is_malformed(pfdo: Pfdo) -> None:
    error = malformed(
        pfdo, "period", "open", "2025", "--municipality", "city", "--start", "2025-01-01",
        "--end", "2025-12-31", "--category", f"{LONG}=12000",
    )  # fmt: skip
    assert error == (
        f"Error: period open: categories.{LONG}.[key]: must be 1-64 characters, no spaces; "
        "got 10,000 characters"
    )


def test_a_request_id_with_a_zero_width_space_is_malformed(year: Pfdo) -> None:
    error = malformed(
        year, "provider", "add", "school-9", "--name", "S", "--request-id", "key\u200b"
    )
    assert error == (
        "Error: request id 'key\\u200b' contains U+200B ZERO WIDTH SPACE: "
        "it must be 1-256 printable characters"
    )


@pytest.mark.parametrize(
    "args",
    [
        ("provider", "add", "school-9", "--name", LONG),
        ("program", "add", "art", "--provider", "school-1", "--title", LONG,
         "--monthly-price", "2000", "--min-age", "5", "--max-age", "12"),
        ("terminate", CONTRACT, "--reason", LONG, "--on", "2025-02-01"),
        ("correct", CONTRACT, "--month", "2025-01", "--refund", "1", "--reason", LONG),
    ],
)  # fmt: skip
def test_every_name_title_and_reason_is_at_most_1000_characters(
    year: Pfdo, args: tuple[str, ...]
) -> None:
    year.enroll()
    field = {"provider": "name", "program": "title"}.get(args[0], "reason")
    verb = " ".join(args[:2]) if args[0] in ("provider", "program") else args[0]
    assert malformed(year, *args) == (
        f"Error: {verb}: {field}: must be at most 1,000 characters; got 10,000"
    )


def test_a_name_with_a_line_break_is_malformed(year: Pfdo) -> None:
    assert malformed(year, "provider", "add", "school-9", "--name", "School\n9") == (
        "Error: provider add: name: contains U+000A unnamed character: "
        "control characters are not allowed"
    )


# -- what does not exist is not reported on -----------------------------------------------


@pytest.mark.parametrize("command", ["balance", "history"])
def test_a_report_on_a_period_that_does_not_exist_is_refused(year: Pfdo, command: str) -> None:
    assert refused(year, command, NUMBER, "--period", "2099") == (
        "Error: period 2099 does not exist"
    )


def test_a_register_of_a_provider_that_does_not_exist_is_refused(year: Pfdo) -> None:
    assert refused(year, "register", "--provider", "school-9", "--month", "2025-01") == (
        "Error: provider school-9 does not exist"
    )


# -- rule 14: one contract per child and program at a time --------------------------------


def test_a_second_overlapping_contract_in_the_same_program_is_refused_naming_the_first(
    year: Pfdo,
) -> None:
    year.enroll()
    assert refused(year, *ENROLL, "--start", "2025-03-01", "--end", "2025-05-31") == (
        f"Error: certificate {NUMBER} already has contract {CONTRACT} in program chess "
        "(2025-01-15..2025-04-10), which overlaps 2025-03-01..2025-05-31: "
        "one contract per child and program at a time"
    )


def test_after_a_termination_the_child_may_enrol_again_from_the_next_day(year: Pfdo) -> None:
    year.enroll()
    year.json("terminate", CONTRACT, "--on", "2025-02-20")
    refused(year, *ENROLL, "--start", "2025-02-20", "--end", "2025-05-31", "--on", "2025-02-20")
    again = year.json(*ENROLL, "--start", "2025-02-21", "--end", "2025-05-31", "--on", "2025-02-21")
    assert again["contract"] == f"{NUMBER}-002"


@pytest.mark.parametrize(
    ("command", "stated"),
    [
        (("program", "add"), ["1-64 characters, no spaces", "at most 1,000 characters",
                              "at most 99,999,999.99"]),
        (("certificate", "issue"), ["1-64 characters, no spaces", "10 digits 0-9"]),
        (("terminate",), ["at most 1,000 characters", "at most a year ahead"]),
        (("correct",), ["at most 1,000 characters", "at most 99,999,999.99"]),
        (("period", "open"), ["1-64 characters, no spaces", "at most 999,999,999,999.99"]),
    ],
)  # fmt: skip
def test_the_help_of_the_options_states_their_limits(
    pfdo: Pfdo, command: tuple[str, ...], stated: list[str]
) -> None:
    shown = " ".join(pfdo(*command, "--help").stdout.split())
    for limit in stated:
        assert limit in shown
