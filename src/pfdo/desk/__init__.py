"""The operators' desk: spreadsheets in (imports, checked whole, written in one bulk) and
out (registers, balances, invoices and the period report as CSV, xlsx or JSON)."""
