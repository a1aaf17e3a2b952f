"""Imports: sheets of children, programs, enrolments and attendance, checked whole, then
written in one bulk.

Every kind reads its file the same way (`pfdo.desk.sheets`: CSV as Excel saves it, or xlsx)
and checks it against a documented column set (`columns`, `kinds`; attendance in
`attendance`). Wrong cells and rows the rules refuse are data (`RowError`: line, column,
reason), never tracebacks. Nothing is written unless every row is good, or with
`partial` exactly the good rows; the same file imported twice writes nothing the second
time. `batch` runs the children, programs and enrolments (`import_sheet` in one call);
`attendance` the journals.
"""

from pfdo.desk.imports.attendance import (
    FIELDS,
    Journal,
    JournalRejected,
    import_attendance,
    read_journal,
    read_marks,
)
from pfdo.desk.imports.batch import (
    Batch,
    SheetRefused,
    SheetRejected,
    import_batch,
    import_sheet,
    read_batch,
)
from pfdo.desk.imports.cells import Mark
from pfdo.desk.imports.kinds import CHILDREN, ENROLMENTS, KINDS, PROGRAMS, Kind

__all__ = [
    "CHILDREN",
    "ENROLMENTS",
    "FIELDS",
    "KINDS",
    "PROGRAMS",
    "Batch",
    "Journal",
    "JournalRejected",
    "Kind",
    "Mark",
    "SheetRefused",
    "SheetRejected",
    "import_attendance",
    "import_batch",
    "import_sheet",
    "read_batch",
    "read_journal",
    "read_marks",
]
