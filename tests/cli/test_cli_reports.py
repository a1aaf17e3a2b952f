"""`pfdo balance | history | rebuild`: the parent's view of a certificate and the replay."""

from __future__ import annotations

from cli_helpers import CONTRACT, NUMBER, OPERATOR, Pfdo, pot

FUNDED = {
    "on": "2025-01-10",
    "kind": "funded",
    "amount": "12000.00",
    "period": "2025",
    "contract": None,
    "program": None,
    "provider": None,
    "month": None,
    "unit": "rub",
    "actor": OPERATOR,
}
RESERVED = {
    "on": "2025-01-12",
    "kind": "reserved",
    "amount": "4322.58",
    "period": "2025",
    "contract": CONTRACT,
    "program": "chess",
    "provider": "school-1",
    "month": None,
    "unit": "rub",
    "actor": OPERATOR,
}


def open_2026_and_fund(pfdo: Pfdo) -> None:
    pfdo.json(
        "period", "open", "2026", "--municipality", "city", "--start", "2026-01-01",
        "--end", "2026-12-31", "--category", "base=15000", "--on", "2025-12-01",
    )  # fmt: skip
    pfdo.fund(NUMBER, period="2026")


def test_balance_shows_each_period_of_a_financing_certificate(year: Pfdo) -> None:
    year.enroll()
    assert year.json("balance", NUMBER) == {
        "number": NUMBER,
        "type": "financing",
        "status": "active",
        "periods": [{"period": "2025", "category": "base", **pot("7677.42", "4322.58")}],
    }


def test_balance_with_a_period_shows_that_period_only(year: Pfdo) -> None:
    open_2026_and_fund(year)
    assert [p["period"] for p in year.json("balance", NUMBER)["periods"]] == ["2025", "2026"]
    (only,) = year.json("balance", NUMBER, "--period", "2026")["periods"]
    assert (only["period"], only["nominal"], only["available"]) == ("2026", "15000.00", "15000.00")


def test_balance_as_of_a_past_date_leaves_out_later_movements(year: Pfdo) -> None:
    year.enroll()
    year.json("bill", "--month", "2025-01", "--on", "2025-02-01")
    before_enrolment = year.json("balance", NUMBER, "--as-of", "2025-01-11")
    assert before_enrolment["periods"][0] == {
        "period": "2025",
        "category": "base",
        **pot("12000.00"),
    }
    before_billing = year.json("balance", NUMBER, "--as-of", "2025-01-31")
    assert before_billing["periods"][0]["reserved"] == "4322.58"
    now = year.json("balance", NUMBER, "--as-of", "2025-02-01")
    assert now["periods"][0] == {
        "period": "2025",
        "category": "base",
        **pot("7677.42", "3500.00", "822.58"),
    }


def test_balance_as_of_a_date_before_the_certificate_was_issued_is_refused(year: Pfdo) -> None:
    assert year.refused("balance", NUMBER, "--as-of", "2025-01-09") == (
        f"Error: certificate {NUMBER} did not exist at the time asked about"
    )


def test_balance_refuses_an_unknown_certificate(year: Pfdo) -> None:
    assert year.refused("balance", "9999999999") == "Error: certificate 9999999999 does not exist"


def test_balance_calls_a_malformed_as_of_date_malformed_input(year: Pfdo) -> None:
    stderr = year.malformed("balance", NUMBER, "--as-of", "31.12.2025")
    assert stderr == (
        "Error: balance: as_of: date '31.12.2025' is not a date in the form YYYY-MM-DD\n"
    )


def test_history_lists_every_movement_in_log_order(year: Pfdo) -> None:
    year.enroll()
    year.json("bill", "--month", "2025-01", "--on", "2025-02-01")
    history = year.json("history", NUMBER)
    assert history == {
        "number": NUMBER,
        "movements": [
            FUNDED,
            RESERVED,
            {
                **RESERVED,
                "on": "2025-02-01",
                "kind": "charged",
                "amount": "822.58",
                "month": "2025-01",
            },
        ],
    }


def test_history_with_a_period_lists_that_period_only(year: Pfdo) -> None:
    year.enroll()
    open_2026_and_fund(year)
    assert year.json("history", NUMBER, "--period", "2026")["movements"] == [
        {**FUNDED, "amount": "15000.00", "period": "2026"}
    ]
    assert year.json("history", NUMBER, "--period", "2025")["movements"] == [FUNDED, RESERVED]


def test_history_refuses_an_unknown_certificate(year: Pfdo) -> None:
    assert year.refused("history", "9999999999") == "Error: certificate 9999999999 does not exist"


def test_rebuild_folds_every_event_again_and_keeps_the_balances(year: Pfdo) -> None:
    # period open: municipality registered, period added, period opened (3), and the room
    # of `base`'s limits dealt over its 16 room shards (each opened and granted its part,
    # and the period's RoomDealt: 33); provider (1); program (1); certificate issued, child
    # registered (2); funded on both sides (the certificate, the room shard it drew: 2).
    year.enroll()
    balance = year.json("balance", NUMBER)
    history = year.json("history", NUMBER)
    rebuilt = year.json("rebuild")
    # enrolment: certificate reserved, program admitted the contract, contract enrolled.
    assert rebuilt["events"] == 9 + 33 + 3
    assert isinstance(rebuilt["seconds"], float)
    assert year.json("balance", NUMBER) == balance
    assert year.json("history", NUMBER) == history


def test_rebuild_refuses_a_store_url_of_another_database() -> None:
    pfdo = Pfdo("mysql://localhost/pfdo")
    stderr = pfdo.malformed("rebuild")
    assert stderr == (
        "Error: store URL 'mysql://localhost/pfdo' is neither a SQLite file path, "
        "sqlite:///PATH nor postgresql://...\n"
    )
