"""The command line says its errors in Russian under a Russian locale (`LANG`, `LC_ALL`,
`LC_MESSAGES`), from the catalogue the HTTP service speaks from
(`pfdo.application.messages`), keeping its `Error:` prefix and its exit codes: 2 for
malformed input, 1 for a refusal."""

from __future__ import annotations

import pytest
from cli_helpers import NUMBER, Pfdo


@pytest.mark.parametrize("variable", ["LANG", "LC_ALL", "LC_MESSAGES"])
def test_a_refusal_is_said_in_russian_under_a_russian_locale(
    year: Pfdo, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    events = year.events()
    monkeypatch.setenv(variable, "ru_RU.UTF-8")
    error = year.refused(
        "enroll", NUMBER, "--program", "nope", "--start", "2025-01-15",
        "--end", "2025-04-10", "--on", "2025-01-12",
    )  # fmt: skip
    assert error == "Error: Не найдено: программа nope"
    assert year.events() == events


def test_malformed_input_is_said_in_russian_with_its_field_and_exits_2(
    year: Pfdo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    error = year.malformed("attend", "nope", "--date", "2025-01-20")
    assert error.startswith("Error: Неверные входные данные: поле contract: ")


def test_an_english_locale_wins_over_a_russian_lang(
    year: Pfdo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    error = year.refused(
        "enroll", NUMBER, "--program", "nope", "--start", "2025-01-15",
        "--end", "2025-04-10", "--on", "2025-01-12",
    )  # fmt: skip
    assert error == "Error: program nope does not exist"
