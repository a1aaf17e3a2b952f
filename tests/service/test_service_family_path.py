"""A family's whole path over HTTP with curl alone (tests/service/family_path.sh)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from service_helpers import Server, World

SCRIPT = Path(__file__).with_name("family_path.sh")


def test_a_familys_path_walks_with_curl_alone(server: Server, world: World) -> None:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed: the family's path is walked with curl alone")
    env = {
        **os.environ,
        "PFDO_URL": server.url,
        "PORTAL": world.tokens["portal"],
        "PROVIDER": world.tokens["provider"],
        "OPERATOR": world.tokens["operator"],
    }
    run = subprocess.run(
        ["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("family path: certificate ")
    number = run.stdout.split()[3].rstrip(",")
    balance = world.ledger.balance(number, period="2025").periods[0]
    assert (balance.spent, balance.reserved, balance.available) == (150000, 300000, 750000)
