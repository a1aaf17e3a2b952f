"""`pfdo certificate move | annul` (rule 24): the JSON keys, exit codes 1 and 2, one
`Error:` line, and nothing written by a refusal."""

from __future__ import annotations

from cli_helpers import NUMBER, SECOND, Pfdo


def test_certificate_move_answers_the_number_and_the_new_municipality(year: Pfdo) -> None:
    year.issue(SECOND, "child-2", "2014-03-01")
    moved = year.json("certificate", "move", SECOND, "--to", "town", "--on", "2025-02-01")
    assert (moved["number"], moved["municipality"]) == (SECOND, "town")
    assert (moved["previous"], moved["left_queues"]) == ("city", [])
    card = year.json("certificate", "show", SECOND)
    assert (card["municipality"], card["status"]) == ("town", "active")


def test_certificate_move_is_refused_while_funded_for_an_open_period(year: Pfdo) -> None:
    events = year.events()
    error = year.refused("certificate", "move", NUMBER, "--to", "town", "--on", "2025-02-01")
    assert error == (
        f"Error: certificate {NUMBER} is funded for period(s) 2025 of municipality city, not "
        "closed: unfund it first or let the period close"
    )
    assert year.refused("certificate", "move", NUMBER, "--to", "city") == (
        f"Error: certificate {NUMBER} belongs to municipality city already"
    )
    assert year.events() == events


def test_certificate_move_of_an_unknown_certificate_or_without_a_municipality(
    year: Pfdo,
) -> None:
    assert year.refused("certificate", "move", "9999999999", "--to", "town") == (
        "Error: certificate 9999999999 does not exist"
    )
    stderr = year.malformed("certificate", "move", NUMBER, "--to", "")
    assert stderr.startswith("Error: certificate move: to: ")
    assert len(stderr.splitlines()) == 1


def test_certificate_annul_answers_the_status_and_the_certificate_refuses_commands(
    year: Pfdo,
) -> None:
    year.issue(SECOND, "child-2", "2014-03-01")
    annulled = year.json(
        "certificate", "annul", SECOND, "--reason", "wrong child", "--on", "2025-02-01"
    )
    assert (annulled["number"], annulled["status"]) == (SECOND, "annulled")
    assert year.json("balance", SECOND)["status"] == "annulled"
    assert year.json("certificate", "show", SECOND)["status"] == "annulled"
    events = year.events()
    refusal = f"Error: certificate {SECOND} is annulled and accepts no more commands"
    for command in (
        ("certificate", "fund", SECOND, "--period", "2025", "--category", "small"),
        ("certificate", "unfund", SECOND, "--period", "2025"),
        ("certificate", "move", SECOND, "--to", "town"),
        ("certificate", "annul", SECOND, "--reason", "again"),
        ("enroll", SECOND, "--program", "chess", "--start", "2025-02-03", "--end", "2025-03-31"),
    ):
        assert year.refused(*command) == refusal, command
    assert year.events() == events


def test_certificate_annul_is_refused_while_it_holds_money(year: Pfdo) -> None:
    events = year.events()
    assert year.refused("certificate", "annul", NUMBER, "--reason", "wrong child") == (
        f"Error: certificate {NUMBER} holds money in period(s) 2025: unfund every funding "
        "before annulling it"
    )
    assert year.events() == events
    assert year.json("balance", NUMBER)["status"] == "active"


def test_certificate_annul_without_a_reason_is_malformed(year: Pfdo) -> None:
    stderr = year.malformed("certificate", "annul", NUMBER, "--reason", "")
    assert stderr.startswith("Error: certificate annul: reason: ")
    assert len(stderr.splitlines()) == 1
    missing = year("certificate", "annul", NUMBER)
    assert missing.exit_code == 2


def test_the_child_of_an_annulled_certificate_is_issued_a_new_number(year: Pfdo) -> None:
    year.issue(SECOND, "child-2", "2014-03-01")
    year.json("certificate", "annul", SECOND, "--reason", "wrong municipality")
    issued = year.json(
        "certificate", "issue", "--child", "child-2", "--birth-date", "2014-03-01",
        "--municipality", "town", "--on", "2025-01-10",
    )  # fmt: skip
    assert issued["number"] != SECOND
    assert issued["municipality"] == "town"
    again = year.refused(
        "certificate", "issue", "--child", "child-3", "--birth-date", "2014-03-01",
        "--municipality", "town", "--number", SECOND,
    )  # fmt: skip
    assert again == f"Error: certificate number {SECOND} is already taken"
