"""Projections: balances, histories and payment registers, folded from the event log.

Each projection is one fold over ordered events (`fold.py`), used both by the incremental
catch-up after every command and by the full rebuild (`runner.py`). The tables it fills sit
in `tables.py`, in the same database as the log. The runner folds pages of the log into a
list of same-transaction folds (`folds.py`) it is given: the read models
(`read_models.py`) and, passed in by whoever builds it, the audit hash chain.
"""
