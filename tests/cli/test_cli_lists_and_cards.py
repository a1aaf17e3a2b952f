"""`pfdo provider|program|period list`, `certificate show`, `contract show|list`: the
operator's lists and cards, read without ever creating a store."""

from __future__ import annotations

import os

from cli_helpers import CONTRACT, NUMBER, OPERATOR, Pfdo, one_error_line, pot

CHESS_CONTRACT = {
    "contract": CONTRACT,
    "number": NUMBER,
    "program": "chess",
    "provider": "school-1",
    "period": "2025",
    "start": "2025-01-15",
    "end": "2025-04-10",
    "mode": "fixed",
    "status": "active",
    "price": "4322.58",
    "share": "4322.58",
    "terminated_on": None,
    "unit": "rub",
}


def test_provider_list_shows_each_provider(year: Pfdo) -> None:
    year.json("provider", "add", "club-2", "--name", "Club 2", "--on", "2025-01-01")
    year.json("provider", "exclude", "club-2", "--on", "2025-01-02")
    assert year.json("provider", "list") == {
        "providers": [
            {"provider": "club-2", "name": "Club 2", "kind": "private", "status": "excluded"},
            {"provider": "school-1", "name": "School 1", "kind": "private", "status": "admitted"},
        ]
    }


def test_provider_list_as_text_is_an_aligned_table(year: Pfdo) -> None:
    result = year("provider", "list")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "providers:",
        "  provider  name      kind     status",
        "  school-1  School 1  private  admitted",
    ]


def test_program_list_shows_every_field_and_filters_by_provider(year: Pfdo) -> None:
    chess = {
        "program": "chess",
        "provider": "school-1",
        "title": "Chess",
        "monthly_price": "1500.00",
        "min_age": 5,
        "max_age": 12,
        "capacity": None,
        "status": "open",
        "normative_price": None,
        "hours_per_month": None,
        "hour_cost": None,
        "prolongation": True,
    }
    assert year.json("program", "list") == {"programs": [chess]}
    assert year.json("program", "list", "--provider", "school-1") == {"programs": [chess]}
    year.json("provider", "add", "club-2", "--name", "Club 2", "--on", "2025-01-01")
    assert year.json("program", "list", "--provider", "club-2") == {"programs": []}
    # rule 23: the provider's switch, as `program settings` set it
    year.json("program", "settings", "chess", "--no-prolongation", "--on", "2025-01-02")
    assert year.json("program", "list") == {"programs": [{**chess, "prolongation": False}]}


def test_program_list_as_text_has_a_header_and_rubles(year: Pfdo) -> None:
    result = year("program", "list")
    assert result.exit_code == 0, result.stderr
    header, row = result.stdout.splitlines()[1:]
    assert header.split() == [
        "program", "provider", "title", "monthly_price", "min_age", "max_age", "capacity",
        "status", "normative_price", "hours_per_month", "hour_cost", "prolongation",
    ]  # fmt: skip
    assert row.split() == [
        "chess", "school-1", "Chess", "1500.00", "5", "12", "-", "open", "-", "-", "-", "yes",
    ]  # fmt: skip
    assert header.index("monthly_price") + len("monthly_price") == row.index("1500.00") + 7


def test_an_unknown_provider_in_program_list_is_refused(year: Pfdo) -> None:
    assert year.refused("program", "list", "--provider", "nope") == (
        "Error: provider nope does not exist"
    )


def test_period_list_shows_categories_with_nominal_and_limits(year: Pfdo) -> None:
    assert year.json("period", "list") == {
        "periods": [
            {
                "period": "2025",
                "municipality": "city",
                "start": "2025-01-01",
                "end": "2025-12-31",
                "status": "open",
                "categories": [
                    {
                        "name": "base",
                        "nominal": "12000.00",
                        "count_limit": 100,
                        "sum_limit": "1200000.00",
                        "unit": "rub",
                    },
                    {
                        "name": "small",
                        "nominal": "1000.00",
                        "count_limit": None,
                        "sum_limit": None,
                        "unit": "rub",
                    },
                ],
            }
        ]
    }


def test_period_list_as_text_writes_categories_inside_their_cell(year: Pfdo) -> None:
    result = year("period", "list")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1].split() == ["period", "municipality", "start", "end", "status", "categories"]
    assert lines[2].endswith(
        "base nominal 12000.00 count_limit 100 sum_limit 1200000.00 unit rub; "
        "small nominal 1000.00 unit rub"
    )
    assert "{" not in result.stdout and "'" not in result.stdout


def test_certificate_show_is_the_card_with_balance_lines_and_contracts(year: Pfdo) -> None:
    year.enroll()
    assert year.json("certificate", "show", NUMBER) == {
        "number": NUMBER,
        "municipality": "city",
        "type": "financing",
        "status": "active",
        "periods": [{"period": "2025", "category": "base", **pot("7677.42", "4322.58")}],
        "contracts": [CHESS_CONTRACT],
        "queues": [],
    }


def test_certificate_show_as_text(year: Pfdo) -> None:
    year.enroll()
    result = year("certificate", "show", NUMBER)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:5] == [
        f"number: {NUMBER}", "municipality: city", "type: financing", "status: active", "queues: -",
    ]  # fmt: skip
    assert lines[6].split() == [
        "period", "category", "nominal", "credited", "available", "reserved", "spent", "expired",
        "unit",
    ]  # fmt: skip
    assert lines[7].split() == [
        "2025", "base", "12000.00", "12000.00", "7677.42", "4322.58", "0.00", "0.00", "rub",
    ]  # fmt: skip


def test_contract_show_lists_its_months(year: Pfdo) -> None:
    year.enroll()
    year.json("bill", "--month", "2025-01", "--on", "2025-02-01")
    card = year.json("contract", "show", CONTRACT)
    links = {"continues_until": None, "continues": None, "continued_by": None}  # rule 23
    assert {k: v for k, v in card.items() if k != "months"} == {
        **CHESS_CONTRACT,
        **links,
        "actor": OPERATOR,  # who enrolled it (rule 25)
        "terminated_by": None,
    }
    assert card["months"][0] == {
        "month": "2025-01",
        "price": "822.58",
        "certificate": "822.58",
        "parent": "0.00",
        "status": "billed",
        "charged": "822.58",
        "released": "0.00",
        "refunded": "0.00",
        "present": 0,
        "recorded": 0,
    }
    assert [(m["month"], m["status"], m["price"], m["present"]) for m in card["months"][1:]] == [
        ("2025-02", "open", "1500.00", None),
        ("2025-03", "open", "1500.00", None),
        ("2025-04", "open", "500.00", None),
    ]


def test_contract_show_as_text_has_a_months_table(year: Pfdo) -> None:
    year.enroll()
    result = year("contract", "show", CONTRACT)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"contract: {CONTRACT}"
    header = lines[lines.index("months:") + 1]
    assert header.split() == [
        "month", "price", "certificate", "parent", "status", "charged", "released",
        "refunded", "present", "recorded",
    ]  # fmt: skip


def test_contract_list_by_certificate_or_program(year: Pfdo) -> None:
    year.enroll()
    assert year.json("contract", "list", "--certificate", NUMBER) == {"contracts": [CHESS_CONTRACT]}
    assert year.json("contract", "list", "--program", "chess") == {"contracts": [CHESS_CONTRACT]}


def test_contract_list_needs_exactly_one_of_certificate_and_program(year: Pfdo) -> None:
    expected = "Error: give exactly one of --certificate and --program"
    assert one_error_line(year.malformed("contract", "list")) == expected
    both = year.malformed("contract", "list", "--certificate", NUMBER, "--program", "chess")
    assert one_error_line(both) == expected


def test_unknown_things_exit_1_with_one_error_line(year: Pfdo) -> None:
    assert year.refused("certificate", "show", "9999999999") == (
        "Error: certificate 9999999999 does not exist"
    )
    assert year.refused("contract", "show", "9999999999-001") == (
        "Error: contract 9999999999-001 does not exist"
    )
    assert year.refused("contract", "list", "--program", "nope") == (
        "Error: program nope does not exist"
    )
    assert year.refused("contract", "list", "--certificate", "9999999999") == (
        "Error: certificate 9999999999 does not exist"
    )


def test_a_malformed_certificate_number_exits_2(year: Pfdo) -> None:
    assert one_error_line(year.malformed("certificate", "show", "12")).startswith("Error: ")


def test_the_reading_commands_never_create_a_store(tmp_path: object) -> None:
    path = os.path.join(str(tmp_path), "absent.sqlite")
    pfdo = Pfdo(path)
    for args in (
        ("provider", "list"),
        ("program", "list"),
        ("period", "list"),
        ("certificate", "show", NUMBER),
        ("contract", "show", CONTRACT),
        ("contract", "list", "--program", "chess"),
    ):
        assert pfdo.refused(*args) == f"Error: no pfdo store at {path}"
    assert not os.path.exists(path)


def test_an_empty_store_lists_nothing(pfdo: Pfdo) -> None:
    pfdo.json("provider", "add", "school-1", "--name", "School 1", "--on", "2025-01-01")
    assert pfdo.json("period", "list") == {"periods": []}
    assert pfdo.json("program", "list") == {"programs": []}
    result = pfdo("program", "list")
    assert (result.exit_code, result.stdout) == (0, "programs: -\n")


def test_after_rebuild_the_lists_and_cards_are_the_same(year: Pfdo) -> None:
    year.enroll()
    year.json("bill", "--month", "2025-01", "--on", "2025-02-01")
    commands = [
        ("provider", "list"),
        ("program", "list"),
        ("period", "list"),
        ("certificate", "show", NUMBER),
        ("contract", "show", CONTRACT),
        ("contract", "list", "--program", "chess"),
    ]
    before = [year.json(*c) for c in commands]
    year.json("rebuild")
    assert [year.json(*c) for c in commands] == before
