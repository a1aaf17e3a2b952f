"""The layer contracts that name modules one by one name every module of pfdo: a module
added without being named there would escape them (`lint-imports` checks the imports)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_the_pure_domain_contract_forbids_every_module_of_pfdo_outside_the_domain() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    (pure,) = [c for c in contracts if c["source_modules"] == ["pfdo.domain"]]
    package = ROOT / "src" / "pfdo"
    modules = {f"pfdo.{path.stem}" for path in package.glob("*.py") if path.stem != "__init__"} | {
        f"pfdo.{path.parent.name}" for path in package.glob("*/__init__.py")
    }
    assert set(pure["forbidden_modules"]) == modules - {"pfdo.domain"}
