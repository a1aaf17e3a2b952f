"""Shared setup of the property tests: where their helper modules are found.

The reference arithmetic (`pfdo_reference`), the reference model (`pfdo_model`) and the
ledger helpers (`pfdo_support`) live beside the tests; this directory is put on `sys.path`
so that they import the same way under every pytest import mode.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)
