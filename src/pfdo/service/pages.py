"""The lists' answers: the CLI's document and `next_cursor` (None on the last page)."""

from __future__ import annotations

from pfdo.application import results as res


class ProviderPage(res.ProviderList):
    """A page of `provider list`."""

    next_cursor: str | None


class ProgramPage(res.ProgramList):
    """A page of `program list`."""

    next_cursor: str | None


class PeriodPage(res.PeriodList):
    """A page of `period list`."""

    next_cursor: str | None


class ContractPage(res.ContractList):
    """A page of `contract list`."""

    next_cursor: str | None


class InvoicePage(res.InvoiceList):
    """A page of `invoice list` (`total_due` is the whole list's)."""

    next_cursor: str | None
