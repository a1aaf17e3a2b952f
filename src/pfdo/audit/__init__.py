"""The auditor's toolkit: a tamper-evident log, signed checkpoints, verification, exports
that replay on their own, and the trace of every kopeck of a balance.

The event log is the books; every other table is derived from it. This package proves the
books were not altered (`chain`, `checkpoint`, `verify`), lets an auditor take them away
and recompute everything without the database (`export`, `replay`), and explains a
balance event by event (`explain`). `Auditor` is the entry point; `Ledger.auditor()` gives
one on the ledger's store. docs/AUDIT.md is the auditor's manual.

This module imports nothing, so that the projector can use `pfdo.projections.chain` cheaply.
"""
