"""The read-model tables (SQLAlchemy Core), in the same database as the event log.

`pfdo_position` holds the log position of the last event folded into the other tables;
it is written in the same transaction as the rows that event changed. `pfdo_schema` holds
the version of these tables' shape: a store whose read models were written by an older
shape has them dropped, created anew and refolded from the log when it is opened for
writing (`Projector.ensure_schema`). Bump `SCHEMA_VERSION` whenever a folded table
changes.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
)

metadata = MetaData()

#: The shape of the folded tables; 2: programs' normative cost, settlement, waiting lists;
#: 3: units (rules 21, 22), programs' hours, contract months' rubles payable;
#: 4: the actor of movements, of contracts' enrolment and termination (rule 25),
#: contracts across periods (rule 23) and certificates' status (rule 24); 5: programs'
#: prolongation switch (rule 23).
SCHEMA_VERSION = 5
#: The longest actor (`pfdo.application.actors.ACTOR_MAX`).
ACTOR = 128

schema = Table(
    "pfdo_schema",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("version", Integer, nullable=False),
)

position = Table(
    "pfdo_position",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

periods = Table(
    "pfdo_periods",
    metadata,
    Column("period", String(64), primary_key=True),
    Column("municipality", String(128), nullable=False),
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("expired", BigInteger, nullable=False),
    Column("expired_hours", BigInteger, nullable=False),
    Column("advance_rate", Integer, nullable=False),
    Column("final_billing_from", Date),
)

categories = Table(
    "pfdo_categories",
    metadata,
    Column("period", String(64), primary_key=True),
    Column("category", String(64), primary_key=True),
    Column("nominal", BigInteger, nullable=False),
    Column("count_limit", BigInteger),
    Column("sum_limit", BigInteger),
    Column("funded_count", BigInteger, nullable=False),
    Column("funded_sum", BigInteger, nullable=False),
    Column("unit", String(8), nullable=False),  # "rub" or "hours": the amounts' unit
)

providers = Table(
    "pfdo_providers",
    metadata,
    Column("provider", String(64), primary_key=True),
    Column("name", String(500), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("status", String(16), nullable=False),
)

programs = Table(
    "pfdo_programs",
    metadata,
    Column("program", String(64), primary_key=True),
    Column("provider", String(64), nullable=False),
    Column("title", String(500), nullable=False),
    Column("monthly_price", BigInteger, nullable=False),
    Column("min_age", Integer, nullable=False),
    Column("max_age", Integer, nullable=False),
    Column("capacity", Integer),
    Column("normative_price", BigInteger),
    Column("hours_per_month", BigInteger),  # hundredths of an hour (rule 21)
    Column("hour_cost", BigInteger),  # kopecks a person-hour (rule 21)
    Column("status", String(16), nullable=False),
    Column("prolongation", Boolean, nullable=False),  # rule 23: its contracts prolonged
)

certificates = Table(
    "pfdo_certificates",
    metadata,
    Column("number", String(10), primary_key=True),
    Column("municipality", String(128), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("status", String(16), nullable=False),  # "active" or "annulled" (rule 24)
)

balances = Table(
    "pfdo_balances",
    metadata,
    Column("number", String(10), primary_key=True),
    Column("period", String(64), primary_key=True),
    Column("category", String(64), nullable=False),
    Column("nominal", BigInteger, nullable=False),
    Column("credited", BigInteger, nullable=False),
    Column("available", BigInteger, nullable=False),
    Column("reserved", BigInteger, nullable=False),
    Column("spent", BigInteger, nullable=False),
    Column("expired", BigInteger, nullable=False),
    # "funded", or "unfunded" (rule 20: the pot is empty and its place in the limits free)
    Column("status", String(16), nullable=False),
    Column("unit", String(8), nullable=False),
    Index("ix_pfdo_balances_period", "period", "category"),
)

waiting = Table(
    "pfdo_waiting",
    metadata,
    Column("period", String(64), primary_key=True),
    Column("number", String(10), primary_key=True),
    Column("category", String(64), nullable=False),
    Column("since", Date, nullable=False),
    Column("seq", BigInteger, nullable=False),  # the log position of joining: the order
    # "waiting", "funded" or "left"; a closed period's list has lapsed whatever it says
    Column("status", String(16), nullable=False),
    Index("ix_pfdo_waiting_list", "period", "category", "seq"),
)

movements = Table(
    "pfdo_movements",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("number", String(10), nullable=False),
    Column("on", Date, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("period", String(64), nullable=False),
    Column("contract", String(32)),
    Column("program", String(64)),
    Column("provider", String(64)),
    Column("month", String(7)),
    Column("unit", String(8), nullable=False),
    Column("actor", String(ACTOR)),  # who asked for it (rule 25); None: before rule 25
    Index("ix_pfdo_movements_number", "number", "seq"),
)

contracts = Table(
    "pfdo_contracts",
    metadata,
    Column("contract", String(32), primary_key=True),
    Column("number", String(10), nullable=False),
    Column("program", String(64), nullable=False),
    Column("provider", String(64), nullable=False),
    Column("period", String(64), nullable=False),
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=False),
    Column("mode", String(16), nullable=False),
    Column("price", BigInteger, nullable=False),
    Column("share", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("terminated_on", Date),
    Column("unit", String(8), nullable=False),
    Column("hour_cost", BigInteger),
    Column("actor", String(ACTOR)),  # who enrolled it (rule 25)
    Column("terminated_by", String(ACTOR)),  # who terminated it, if terminated
    # rule 23: the end asked for beyond the period's, and the links across periods
    Column("continues_until", Date),
    Column("continues", String(32)),
    Column("continued_by", String(32)),
    Column("made", BigInteger),  # the log position of its enrolment: the order made
)

contract_months = Table(
    "pfdo_contract_months",
    metadata,
    Column("contract", String(32), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("number", String(10), nullable=False),
    Column("program", String(64), nullable=False),
    Column("provider", String(64), nullable=False),
    Column("period", String(64), nullable=False),
    Column("price", BigInteger, nullable=False),
    Column("certificate", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("charged", BigInteger, nullable=False),
    Column("released", BigInteger, nullable=False),
    Column("parent", BigInteger, nullable=False),
    Column("refunded", BigInteger, nullable=False),
    Column("present", Integer, nullable=False),
    Column("recorded", Integer, nullable=False),
    # amounts above are in `unit`; `payable` is the kopecks the provider is paid for the
    # month: charged less refunded, converted at `hour_cost` for hours (rule 21)
    Column("unit", String(8), nullable=False),
    Column("hour_cost", BigInteger),
    Column("payable", BigInteger, nullable=False),
    Index("ix_pfdo_contract_months_register", "provider", "month"),
    Index("ix_pfdo_contract_months_open", "month", "status"),
    Index("ix_pfdo_contract_months_period", "period", "status"),
)


invoices = Table(
    "pfdo_invoices",
    metadata,
    Column("invoice", String(80), primary_key=True),
    Column("kind", String(16), nullable=False),  # "advance" or "invoice"
    Column("provider", String(64), nullable=False),
    Column("month", String(7), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("advance", BigInteger, nullable=False),
    Column("adjustments", BigInteger, nullable=False),
    Column("due", BigInteger, nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("paid_on", Date),
    Index("ix_pfdo_invoices_provider", "provider", "month"),
)

#: The tables a rebuild empties and fills again, in an order safe to fill.
FOLDED_TABLES = (
    periods,
    categories,
    providers,
    programs,
    certificates,
    balances,
    waiting,
    movements,
    contracts,
    contract_months,
    invoices,
)
