"""A store written by an older pfdo opens, upcasts and refolds its read models once.

The older store is made here as that pfdo wrote it: programs, contracts and fundings
stored as version-1 events (no normative cost, no hours, no unit), the read models in
their older shape (no `normative_price` column, no `pfdo_schema` row). Opening it for
writing drops the folded tables, creates them anew and refolds the log; balances and
the audit agree with a store written by this pfdo from the same commands.
"""

from __future__ import annotations

import orjson
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from pfdo import Ledger
from pfdo.storage.store import LOG_TABLE, StoreURL

#: The events that gained fields since version 1, and those fields.
LATER_FIELDS = {
    "pfdo.domain.registry:Program.Added": ("normative_price", "hours_per_month", "hour_cost"),
    "pfdo.domain.contract:Contract.Enrolled": ("normative_price", "unit", "hour_cost"),
    "pfdo.domain.certificate:Certificate.Funded": ("unit",),
}


def _year(ledger: Ledger) -> tuple[str, str]:
    ledger.open_period(
        "2025", municipality="m", start="2025-01-01", end="2025-12-31",
        categories={"base": {"nominal": "10000"}}, on="2025-01-01",
    )  # fmt: skip
    ledger.add_provider("P1", name="Школа", on="2025-01-01")
    ledger.add_program(
        "ART", provider="P1", title="Рисунок", monthly_price="3000", min_age=5, max_age=17,
        on="2025-01-01",
    )  # fmt: skip
    number = ledger.issue_certificate(
        child="c1", birth_date="2015-01-01", municipality="m", on="2025-01-01"
    ).number
    ledger.fund_certificate(number, period="2025", category="base", on="2025-01-02")
    contract = ledger.enroll(
        number, program="ART", start="2025-03-10", end="2025-05-31", on="2025-03-01"
    ).contract
    return number, contract


def _make_it_old(db_url: str) -> None:
    """Strip what this pfdo added: v1 events, the older read-model shape."""
    url = StoreURL.parse(db_url)
    engine = create_engine(url.sqlalchemy_url(), poolclass=NullPool)
    table = LOG_TABLE[url.kind]
    with engine.begin() as connection:
        rows = connection.execute(
            text(f"SELECT originator_id, originator_version, topic, state FROM {table}")
        ).all()
        for originator_id, version, topic, state in rows:
            if topic not in LATER_FIELDS:
                continue
            payload = orjson.loads(bytes(state))
            assert payload.pop("class_version") > 1
            for field in LATER_FIELDS[topic]:
                del payload[field]
            connection.execute(
                text(
                    f"UPDATE {table} SET state = :state "
                    "WHERE originator_id = :id AND originator_version = :version"
                ),
                {"state": orjson.dumps(payload), "id": originator_id, "version": version},
            )
        connection.execute(text("ALTER TABLE pfdo_programs DROP COLUMN normative_price"))
        connection.execute(text("DELETE FROM pfdo_schema"))
    engine.dispose()


def test_an_older_store_opens_refolds_and_verifies(db_url: str) -> None:
    with Ledger(db_url, project_after_commands=False) as writer:
        number, contract = _year(writer)
    _make_it_old(db_url)
    with Ledger(db_url) as ledger:
        balance = ledger.balance(number).model_dump(mode="json")["periods"][0]
        assert (balance["available"], balance["reserved"]) == ("1870.97", "8129.03")
        (line,) = ledger.programs().programs
        assert line.program == "ART"
        card = ledger.contract(contract)
        assert card.price == 812903
        assert sum(m.certificate for m in card.months) == 812903
        report = ledger.auditor().verify()
        assert report.ok, report.problems
    # and it is done once: the next opening finds the read models current
    with Ledger(db_url) as again:
        assert again.read_models_behind() == 0
        assert again.balance(number).periods[0].reserved == 812903
