"""`pfdo token create|list|revoke`: a token is printed once, the store keeps only a hash of
its secret, the list never shows secrets, a revoked token stays listed, and a role takes
only the scope that is its own."""

from __future__ import annotations

import hashlib
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from pfdo.cli import main
from pfdo.storage.store import StoreURL


def pfdo(db: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--db", db, *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_token_is_shown_once_and_the_store_keeps_only_its_hash(db_url: str) -> None:
    code, out, err = pfdo(
        db_url, "token", "create", "--role", "operator", "--municipality", "city",
        "--name", "ops-1", "--json",
    )  # fmt: skip
    assert code == 0, err
    made = json.loads(out)
    assert made == {
        "name": "ops-1",
        "role": "operator",
        "scope": "municipality:city",
        "token": made["token"],
    }
    name, _, secret = made["token"].rpartition(".")
    assert name == "ops-1" and len(secret) >= 43
    engine = create_engine(StoreURL.parse(db_url).sqlalchemy_url())
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM pfdo_tokens")).mappings().all()
    engine.dispose()
    (row,) = rows
    stored = b"".join(
        bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in row.values()
    )
    assert secret.encode() not in stored and made["token"].encode() not in stored
    assert bytes(row["digest"]) == hashlib.sha256(secret.encode()).digest()

    code, out, err = pfdo(db_url, "token", "list", "--json")
    assert code == 0, err
    assert secret not in out
    (line,) = json.loads(out)["tokens"]
    assert (line["name"], line["role"], line["scope"], line["revoked_at"]) == (
        "ops-1", "operator", "municipality:city", None,
    )  # fmt: skip

    code, out, err = pfdo(db_url, "token", "revoke", "ops-1", "--json")
    assert code == 0, err
    revoked_at = json.loads(out)["revoked_at"]
    assert revoked_at is not None
    # revoking again keeps the first time; the name is never reused
    assert json.loads(pfdo(db_url, "token", "revoke", "ops-1", "--json")[1])["revoked_at"] == (
        revoked_at
    )
    code, _, err = pfdo(db_url, "token", "create", "--role", "admin", "--name", "ops-1")
    assert code == 1 and "exists already" in err
    (line,) = json.loads(pfdo(db_url, "token", "list", "--json")[1])["tokens"]
    assert line["revoked_at"] == revoked_at


@pytest.mark.parametrize(
    ("arguments", "reason"),
    [
        (("--role", "family"), "needs its certificate"),
        (("--role", "provider"), "needs its provider"),
        (("--role", "family", "--certificate", "12"), "10 digits"),
        (("--role", "portal", "--municipality", "city"), "takes no municipality"),
        (("--role", "admin", "--provider", "p"), "takes no provider"),
        (("--role", "operator", "--certificate", "1000000001"), "takes no certificate"),
        (("--role", "provider", "--provider", "p", "--municipality", "m"), "takes no municipality"),
    ],
)
def test_a_role_takes_its_own_scope_only(
    db_url: str, arguments: tuple[str, ...], reason: str
) -> None:
    assert pfdo(db_url, "token", "create", "--role", "admin", "--name", "keeper")[0] == 0
    code, out, err = pfdo(db_url, "token", "create", *arguments, "--name", "t", "--json")
    assert code == 2 and out == ""
    assert reason in err
    listed = json.loads(pfdo(db_url, "token", "list", "--json")[1])["tokens"]
    assert [line["name"] for line in listed] == ["keeper"]


@pytest.mark.parametrize("name", ["", "a b", "x" * 49, "имя", "a:b"])
def test_a_token_name_is_short_and_plain(db_url: str, name: str) -> None:
    code, _, err = pfdo(db_url, "token", "create", "--role", "admin", "--name", name)
    assert code == 2 and "name" in err


def test_serve_without_the_server_extra_says_how_to_install_it(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    for module in [m for m in sys.modules if m.startswith("pfdo.service.")]:
        monkeypatch.delitem(sys.modules, module)
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    code, out, err = pfdo(db_url, "serve", "--port", "1")
    assert code == 1 and out == ""
    assert err.strip() == (
        "Error: pfdo serve needs the server extra (uvicorn is not installed): "
        "pip install 'pfdo[server]'"
    )
