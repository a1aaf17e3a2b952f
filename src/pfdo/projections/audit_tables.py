"""The audit tables, in the same database as the log and the read models.

`pfdo_chain` holds one hash per event in log order: the chain. It is append-only: the
projector adds the hashes of newly folded events in the same transaction as their rows and
never rewrites one, not even on rebuild, so a changed event cannot be laundered by a
rebuild. `pfdo_checkpoints` keeps the checkpoints pfdo recorded (at every period close and
on request). The secret that makes personal-data commitments hiding (see `canonical`) is
one of the store's secrets (`pfdo.storage.secrets`).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, Text

metadata = MetaData()

chain = Table(
    "pfdo_chain",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("originator_id", String(36), nullable=False),
    Column("originator_version", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

checkpoints = Table(
    "pfdo_checkpoints",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("position", BigInteger, nullable=False),
    Column("head", String(64), nullable=False),
    Column("reason", String(200), nullable=False, index=True),
    Column("document", Text, nullable=False),
)
