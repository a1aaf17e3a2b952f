"""Rule 25 on the command line: `--actor ID`, `PFDO_ACTOR`, the operating-system user by
default, `import:FILE` for imports; `history --json` and `contract show` carry the actor."""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import CONTRACT, NUMBER, SECOND, Pfdo

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def actors(pfdo: Pfdo, number: str = NUMBER) -> list[tuple[str, str]]:
    return [(m["kind"], m["actor"]) for m in pfdo.json("history", number)["movements"]]


def test_actor_option_and_variable_and_default(pfdo: Pfdo) -> None:
    env = {"LOGNAME": "clerk-9", "PFDO_ACTOR": None}
    opened = pfdo(
        "period", "open", "2025", "--municipality", "city", "--start", "2025-01-01",
        "--end", "2025-12-31", "--category", "base=12000", "--on", "2025-01-01", "--json",
        env=env,
    )  # fmt: skip
    assert opened.exit_code == 0, opened.stderr
    pfdo.json("provider", "add", "school-1", "--name", "School 1", "--on", "2025-01-01")
    pfdo.json(
        "program", "add", "chess", "--provider", "school-1", "--title", "Chess",
        "--monthly-price", "1500", "--min-age", "5", "--max-age", "12", "--on", "2025-01-01",
    )  # fmt: skip
    pfdo.issue(NUMBER, "child-1", "2015-06-01")
    funded = pfdo(
        "certificate", "fund", NUMBER, "--period", "2025", "--category", "base",
        "--on", "2025-01-10", "--json", env={"PFDO_ACTOR": "portal"},
    )  # fmt: skip
    assert funded.exit_code == 0, funded.stderr
    enrolled = pfdo(
        "enroll", NUMBER, "--program", "chess", "--start", "2025-01-15", "--end", "2025-04-10",
        "--on", "2025-01-12", "--actor", "provider:school-1", "--json",
        env={"PFDO_ACTOR": "portal"},
    )  # fmt: skip
    assert enrolled.exit_code == 0, enrolled.stderr
    terminated = pfdo(
        "terminate", CONTRACT, "--reason", "moved", "--on", "2025-02-20",
        "--json", env={"LOGNAME": "clerk-9", "PFDO_ACTOR": None},
    )  # fmt: skip
    assert terminated.exit_code == 0, terminated.stderr
    assert actors(pfdo) == [
        ("funded", "portal"),
        ("reserved", "provider:school-1"),
        ("released", "clerk-9"),  # March and April
        ("released", "clerk-9"),
    ]
    card = pfdo.json("contract", "show", CONTRACT)
    assert (card["actor"], card["terminated_by"]) == ("provider:school-1", "clerk-9")
    text = pfdo("contract", "show", CONTRACT)
    assert "terminated_by: clerk-9" in text.stdout


def test_a_malformed_actor_exits_2_and_writes_nothing(year: Pfdo) -> None:
    before = year.events()
    error = year.malformed("certificate", "fund", NUMBER, "--period", "2025",
                           "--category", "small", "--actor", "bo\u0007b")  # fmt: skip
    assert "actor" in error
    assert year.events() == before


def test_an_import_records_its_file_unless_actor_is_given(pfdo: Pfdo, tmp_path: Path) -> None:
    pfdo.json(
        "period", "open", "2025", "--municipality", "city", "--start", "2025-01-01",
        "--end", "2025-12-31", "--category", "base=12000", "--on", "2025-01-01",
    )  # fmt: skip
    pfdo.json("import", "children", str(EXAMPLES / "children.csv"), "--on", "2025-01-05")
    other = tmp_path / "late.csv"
    other.write_text(
        f"Ребёнок;Дата рождения;Муниципалитет;Номер сертификата\nchild-2;01.09.2016;city;{SECOND}\n"
    )
    pfdo.json("import", "children", str(other), "--on", "2025-01-05", "--actor", "operator-4")
    out = tmp_path / "log.jsonl"
    pfdo.json("audit", "export", "--out", str(out))
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    issued = [
        line["payload"]["actor"]
        for line in lines
        if line.get("topic", "").endswith("Certificate.Issued")
    ]
    assert issued == ["import:children.csv"] * 3 + ["operator-4"]
