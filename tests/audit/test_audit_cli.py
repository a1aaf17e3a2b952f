"""`pfdo audit ...` from the command line: exit codes, JSON keys and messages (docs/CLI.md).

Tests on `year` run on SQLite and PostgreSQL; those on `year_file` or `tamper` on SQLite
only (a copy of a played year, or a file edited behind pfdo's back).
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

from audit_support import Tamper, Year, pfdo

from pfdo.audit.checkpoint import Checkpoint


def test_keygen_writes_a_private_key_only_its_owner_reads_and_never_overwrites(
    tmp_path: Path,
) -> None:
    key = tmp_path / "operator.key"
    result = pfdo(None, "audit", "keygen", "--out", str(key), "--json")
    assert result.exit_code == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed == {"private_key": str(key), "public_key": f"{key}.pub",
                       "key_id": printed["key_id"]}  # fmt: skip
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    again = pfdo(None, "audit", "keygen", "--out", str(key))
    assert again.exit_code == 1
    assert again.stderr == f"Error: {key} exists already: pfdo does not overwrite keys\n"


def test_a_signed_checkpoint_verifies_from_the_command_line(year: Year, tmp_path: Path) -> None:
    key, checkpoint = tmp_path / "operator.key", tmp_path / "checkpoint.json"
    assert pfdo(None, "audit", "keygen", "--out", str(key)).exit_code == 0
    taken = pfdo(year.db, "audit", "checkpoint", "--key", str(key), "--out", str(checkpoint),
                 "--json")  # fmt: skip
    assert taken.exit_code == 0, taken.stderr
    document = json.loads(taken.stdout)
    assert json.loads(checkpoint.read_text()) == document
    assert set(document) == {"format", "version", "position", "head", "time", "reason",
                             "public_key", "signature"}  # fmt: skip
    verified = pfdo(year.db, "audit", "verify", "--checkpoint", str(checkpoint),
                    "--public-key", f"{key}.pub", "--json")  # fmt: skip
    assert verified.exit_code == 0, verified.stdout
    report = json.loads(verified.stdout)
    assert (report["ok"], report["events"], report["problems"]) == (True, document["position"], [])


def test_checkpoint_signs_with_the_key_in_PFDO_AUDIT_KEY(year_file: str, tmp_path: Path) -> None:
    key = tmp_path / "operator.key"
    made = json.loads(pfdo(None, "audit", "keygen", "--out", str(key), "--json").stdout)
    taken = pfdo(year_file, "audit", "checkpoint", "--json", env={"PFDO_AUDIT_KEY": str(key)})
    assert taken.exit_code == 0, taken.stderr
    checkpoint = Checkpoint.from_document(json.loads(taken.stdout), "stdout")
    assert checkpoint.signer() == made["key_id"]
    assert checkpoint.signature_status(None) == "valid"


def test_verify_of_a_tampered_store_exits_1_and_prints_the_problems(tamper: Tamper) -> None:
    position = tamper.first("Certificate.Expired")
    number = tamper.number_at(position)
    tamper.delete(position)
    result = pfdo(tamper.path, "audit", "verify", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["events"] == tamper.last_position() - 1
    first = report["problems"][0]
    assert (first["check"], first["position"]) == ("chain", position)
    assert first["aggregate"] == f"certificate {number}"
    assert set(first) == {"check", "position", "aggregate", "event", "message"}
    assert result.stderr.startswith("Error: the audit found ")
    assert len(result.stderr.splitlines()) == 1


def test_export_and_replay_from_the_command_line(year: Year, tmp_path: Path) -> None:
    out = tmp_path / "year.jsonl"
    exported = pfdo(year.db, "audit", "export", "--out", str(out), "--json")
    assert exported.exit_code == 0, exported.stderr
    summary = json.loads(exported.stdout)
    assert (summary["format"], summary["version"], summary["personal_data"]) == (
        "pfdo-audit-export", 1, False,
    )  # fmt: skip
    number = year.numbers[0]
    replayed = pfdo(None, "audit", "replay", str(out), "--certificate", number, "--json")
    assert replayed.exit_code == 0, replayed.stdout
    report = json.loads(replayed.stdout)
    assert report["ok"] and report["events"] == summary["events"]
    balance = json.loads(pfdo(year.db, "balance", number, "--json").stdout)["periods"][0]
    (line,) = [b for b in report["balances"] if b["number"] == number]
    assert {k: v for k, v in line.items() if k != "number"} == balance
    history = json.loads(pfdo(year.db, "history", number, "--json").stdout)["movements"]
    assert report["history"] == history


def test_replay_of_an_altered_export_exits_1(year_file: str, tmp_path: Path) -> None:
    out = tmp_path / "year.jsonl"
    assert pfdo(year_file, "audit", "export", "--out", str(out)).exit_code == 0
    out.write_text(out.read_text().replace('"amount":', '"amount":1', 1))
    result = pfdo(None, "audit", "replay", str(out), "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["problems"][0]["check"] == "chain"


def test_explain_prints_the_trace_of_a_balance(year: Year) -> None:
    result = pfdo(year.db, "audit", "explain", year.numbers[0], "--period", "2025", "--json")
    assert result.exit_code == 0, result.stderr
    trace = json.loads(result.stdout)
    assert trace["ok"] is True
    columns = {c["column"]: (c["total"], c["balance"]) for c in trace["columns"]}
    assert all(total == balance for total, balance in columns.values())
    assert trace["movements"][0]["kind"] == "funded"


def test_a_malformed_export_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("{]\n")
    result = pfdo(None, "audit", "replay", str(path), "--json")
    assert result.exit_code == 2
    assert result.stdout == "" and result.stderr.startswith(f"Error: {path}, line 1:")


def test_a_missing_checkpoint_file_is_a_usage_error(year_file: str, tmp_path: Path) -> None:
    result = pfdo(year_file, "audit", "verify", "--checkpoint", str(tmp_path / "none.json"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_explain_of_an_unknown_certificate_is_refused(year_file: str) -> None:
    result = pfdo(year_file, "audit", "explain", "0000000000", "--period", "2025")
    assert result.exit_code == 1
    assert result.stderr == "Error: certificate 0000000000 is not funded for period 2025\n"


def _no_reprs(text: str) -> None:
    """Text for people: no Python dict, list or string reprs."""
    for sign in ("{", "}", "['", "']", "': ", "None", "True", "False"):
        assert sign not in text, (sign, text)


def test_verify_in_text_mode_says_ok_then_readable_lines(year_file: str) -> None:
    result = pfdo(year_file, "audit", "verify")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    events = int(next(line for line in lines if line.startswith("events: ")).split(": ")[1])
    assert lines[0] == f"OK: {events} events checked, no problem found"
    assert any(line.startswith(f"head: position {events}, hash ") for line in lines)
    _no_reprs(result.stdout)


def test_verify_of_a_tampered_store_in_text_mode_is_a_verdict_and_a_table(tamper: Tamper) -> None:
    position = tamper.first("Certificate.Expired")
    tamper.delete(position)
    result = pfdo(tamper.path, "audit", "verify")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("NOT OK: ") and " problem(s) in " in lines[0]
    header = lines[lines.index("problems:") + 1].split()
    assert header == ["check", "position", "aggregate", "event", "message"]
    assert any(line.split()[:2] == ["chain", str(position)] for line in lines)
    _no_reprs(result.stdout)


def test_explain_in_text_mode_names_every_kind_and_traces_the_columns(year: Year) -> None:
    result = pfdo(year.db, "audit", "explain", year.numbers[0], "--period", "2025")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert text.splitlines()[0] == (
        f"certificate {year.numbers[0]}, period 2025 (category base): every kopeck of the "
        "balance is traced to its events"
    )
    by_kind = next(line for line in text.splitlines() if line.startswith("by_kind: "))
    assert by_kind.startswith("by_kind: funded ") and ", charged " in by_kind
    assert "\ncolumns:\n  column " in text and "\nmovements:\n  position " in text
    _no_reprs(text)
