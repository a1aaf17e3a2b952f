"""A small year for the desk's tests: two certificates, two providers, billed months.

On the `year` fixture: certificate 1000000002 (born 2014-03-03) is funded in `small`
(1000.00), so its contract is mostly paid by the parents; provider `school-2` offers
`dance` at 2000.00 a month. 1000000001 takes `chess` (fixed) and 1000000002 `dance`
(attendance mode, 1 of 2 lessons in January); January and February are billed, and
January of chess is partly refunded (100.00). Then `chess` is terminated in March.
"""

from __future__ import annotations

from cli_helpers import CONTRACT, NUMBER, SECOND, Pfdo

DANCE = "1000000002-001"


def set_up_desk(year: Pfdo) -> Pfdo:
    year.issue(SECOND, "child-2", "2014-03-03")
    year.fund(SECOND, category="small")
    year.json("provider", "add", "school-2", "--name", "School 2", "--on", "2025-01-01")
    year.json(
        "program", "add", "dance", "--provider", "school-2", "--title", "Dance",
        "--monthly-price", "2000", "--min-age", "5", "--max-age", "17", "--on", "2025-01-01",
    )  # fmt: skip
    year.enroll(NUMBER)
    year.enroll(SECOND, "--mode", "attendance", program="dance")
    year.json("attend", DANCE, "--date", "2025-01-20", "--on", "2025-01-31")
    year.json("attend", DANCE, "--date", "2025-01-27", "--absent", "--on", "2025-01-31")
    year.json("attend", DANCE, "--date", "2025-02-03", "--on", "2025-02-28")
    year.json("bill", "--month", "2025-01", "--on", "2025-02-01")
    year.json("bill", "--month", "2025-02", "--on", "2025-03-01")
    year.json(
        "correct", CONTRACT, "--month", "2025-01", "--refund", "100", "--reason", "a lesson lost",
        "--on", "2025-03-02",
    )  # fmt: skip
    year.json("terminate", CONTRACT, "--on", "2025-03-15")
    return year
