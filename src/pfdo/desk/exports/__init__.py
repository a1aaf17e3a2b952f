"""Exports: the ledger's tables written as operators' spreadsheets (CSV, xlsx) or JSON.

An export is a `Table` (`table.py`: typed columns, rows, a totals row) built from a
report the public API already answers (`built.py`: a provider's monthly register, the
municipality's certificate balances); `writers.py` writes one or several tables in a
format. Another table (the invoices, say) is one more builder in `built.py`: the writers
need nothing new.
"""

from pfdo.desk.exports.table import Column, Table
from pfdo.desk.exports.writers import FORMATS, write

__all__ = ["FORMATS", "Column", "Table", "write"]
