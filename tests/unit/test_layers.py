"""The layer contracts that name modules one by one name every module of pfdo: a module
added without being named there would escape them (`lint-imports` checks the imports)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parents[2]


def _contract(name: str) -> dict[str, Any]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["name"] == name]
    return dict(contract)


def _modules() -> set[str]:
    package = ROOT / "src" / "pfdo"
    files = {f"pfdo.{path.stem}" for path in package.glob("*.py") if path.stem != "__init__"}
    return files | {f"pfdo.{path.parent.name}" for path in package.glob("*/__init__.py")}


def test_the_pure_domain_contract_forbids_every_module_of_pfdo_outside_the_domain() -> None:
    pure = _contract("The domain is pure: it imports nothing of pfdo outside pfdo.domain")
    assert pure["source_modules"] == ["pfdo.domain"]
    assert set(pure["forbidden_modules"]) == _modules() - {"pfdo.domain"}


def test_the_command_line_root_is_forbidden_to_every_other_module() -> None:
    root = _contract("Nothing imports the command line's root")
    assert root["forbidden_modules"] == ["pfdo.cli"]
    assert set(root["source_modules"]) == _modules() - {"pfdo.cli"}
