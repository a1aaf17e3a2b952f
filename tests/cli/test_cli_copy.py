"""`pfdo copy --to TARGET`: its JSON, copying again, and each refusal as one line that
writes nothing (no file created, no byte of the target changed)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from cli_helpers import NUMBER, Pfdo, set_up_year


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file of `folder` and a digest of its bytes: what a refusal must not change."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def test_a_copy_prints_its_keys_and_the_audit_head(year: Pfdo, tmp_path: Path) -> None:
    target = tmp_path / "copy.sqlite"
    copied = year.json("copy", "--to", str(target))
    assert set(copied) == {"events", "position", "head", "verified", "seconds"}
    assert copied["verified"] is True
    assert copied["events"] == copied["position"] == year.events()
    head = year.json("audit", "verify")["head"]
    assert copied["head"] == head == Pfdo(str(target)).json("audit", "verify")["head"]
    assert Pfdo(str(target)).pot() == year.pot()

    again = year.json("copy", "--to", str(target), "--resume")
    assert again["events"] == 0 and again["head"] == head


def test_a_copy_says_what_it_did_in_lines_for_people(year: Pfdo, tmp_path: Path) -> None:
    result = year("copy", "--to", str(tmp_path / "copy.sqlite"))
    assert result.exit_code == 0, result.stderr
    assert "verified: yes" in result.stdout and "head: position " in result.stdout
    assert result.stderr == ""  # no progress when nobody watches


def test_the_next_month_bills_on_the_copy_after_the_copied_positions(
    year: Pfdo, tmp_path: Path
) -> None:
    year.enroll()
    copy = Pfdo(str(tmp_path / "copy.sqlite"))
    position = year.json("copy", "--to", copy.db)["position"]
    billed = copy.json("bill", "--month", "2025-01", "--on", "2025-02-01")
    assert billed == year.json("bill", "--month", "2025-01", "--on", "2025-02-01")
    assert copy.json("audit", "verify")["head"]["position"] > position
    assert copy.pot() == year.pot()


def test_a_missing_source_is_refused_and_nothing_is_created(tmp_path: Path) -> None:
    missing = Pfdo(str(tmp_path / "missing.sqlite"))
    error = missing.refused("copy", "--to", str(tmp_path / "copy.sqlite"))
    assert error == f"Error: no pfdo store at {tmp_path / 'missing.sqlite'}"
    assert list(tmp_path.iterdir()) == []


def test_a_folder_or_a_file_that_is_no_store_is_refused_as_a_target(
    year: Pfdo, tmp_path: Path
) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    text = tmp_path / "notes.txt"
    text.write_text("not a store\n")
    foreign = tmp_path / "other.sqlite"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE people (name TEXT)")
    before = fingerprint(tmp_path)
    assert "it is a folder, not a file" in year.refused("copy", "--to", str(folder))
    assert "not a SQLite database" in year.refused("copy", "--to", str(text))
    assert "it is not a pfdo store" in year.refused("copy", "--to", str(foreign))
    assert fingerprint(tmp_path) == before and list(folder.iterdir()) == []


def test_a_target_of_another_stores_events_is_refused_untouched(year: Pfdo, tmp_path: Path) -> None:
    other = set_up_year(Pfdo(str(tmp_path / "other.sqlite")))
    other.json("rebuild")  # nothing pending beside the file: its bytes are its state
    before = fingerprint(tmp_path)
    error = year.refused("copy", "--to", other.db)
    assert error.startswith(f"Error: {other.db} is not a copy of this source: its event at")
    assert fingerprint(tmp_path) == before


def test_a_copy_written_to_since_is_refused(year: Pfdo, tmp_path: Path) -> None:
    copy = Pfdo(str(tmp_path / "copy.sqlite"))
    year.json("copy", "--to", copy.db)
    copy.issue("1000000009", "late-child", "2016-01-01")
    events = copy.events()
    error = year.refused("copy", "--to", copy.db)
    assert "it is not a copy of this source, or was written to since" in error
    assert copy.events() == events


def test_resume_needs_a_copy_to_resume(year: Pfdo, tmp_path: Path) -> None:
    error = year.refused("copy", "--to", str(tmp_path / "new.sqlite"), "--resume")
    assert error == f"Error: nothing to resume: no pfdo store at {tmp_path / 'new.sqlite'}"
    assert not (tmp_path / "new.sqlite").exists()


def test_a_store_is_not_copied_onto_itself(tmp_path: Path) -> None:
    store = set_up_year(Pfdo(str(tmp_path / "store.sqlite")))
    events = store.events()
    assert "onto itself" in store.refused("copy", "--to", store.db)
    assert store.events() == events


def test_a_batch_below_one_is_malformed(year: Pfdo, tmp_path: Path) -> None:
    error = year.malformed("copy", "--to", str(tmp_path / "c.sqlite"), "--batch", "0")
    assert "--batch" in error
    assert not (tmp_path / "c.sqlite").exists()


def test_the_balance_of_a_copy_equals_the_sources(year: Pfdo, tmp_path: Path) -> None:
    year.enroll()
    copy = Pfdo(str(tmp_path / "copy.sqlite"))
    assert year.json("copy", "--to", copy.db)["verified"]
    assert copy.json("balance", NUMBER) == year.json("balance", NUMBER)
    assert json.dumps(copy.json("history", NUMBER)) == json.dumps(year.json("history", NUMBER))


def test_progress_goes_to_a_terminal_and_never_with_json(
    year: Pfdo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pfdo.commandline import copying

    monkeypatch.setattr(copying, "_on_terminal", lambda as_json: not as_json)
    shown = year("copy", "--to", str(tmp_path / "shown.sqlite"))
    assert shown.exit_code == 0, shown.stderr
    lines = shown.stderr.replace("\r", "\n").split("\n")
    events = year.events()
    assert f"copying: {events:,} / {events:,} events" in " ".join(lines)
    assert any(line.startswith("folding: ") for line in lines)
    quiet = year("copy", "--to", str(tmp_path / "quiet.sqlite"), "--json")
    assert quiet.exit_code == 0 and quiet.stderr == ""
