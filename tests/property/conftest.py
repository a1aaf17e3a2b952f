"""Shared setup of the property tests: where their helper modules are found, and how long
Hypothesis may shrink a failing example.

The reference arithmetic (`pfdo_reference`), the reference model (`pfdo_model`) and the
ledger helpers (`pfdo_support`) live beside the tests; this directory is put on `sys.path`
so that they import the same way under every pytest import mode.

Shrinking runs a failing example again hundreds of times, and every run of a ledger test
opens a fresh store and replays tens of commands: Hypothesis' own limit, five minutes per
failing test, would hold a broken build for long. The limit is lowered to
`PFDO_TEST_SHRINK_SECONDS` (60 unless set); shrinking itself stays on, and what it found by
then is reported (usually a few steps; the example database keeps it for the next run,
which shrinks further). Hypothesis has no setting for this: an autouse fixture sets the
module constant that holds the limit, for the tests of this directory only.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis.internal.conjecture import engine

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)


@pytest.fixture(autouse=True)
def shrinking_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hypothesis shrinks a failing property test of this directory for at most
    `PFDO_TEST_SHRINK_SECONDS` (60 unless set)."""
    if hasattr(engine, "MAX_SHRINKING_SECONDS"):
        seconds = int(os.environ.get("PFDO_TEST_SHRINK_SECONDS", "60"))
        monkeypatch.setattr(engine, "MAX_SHRINKING_SECONDS", seconds)
