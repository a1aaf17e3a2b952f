"""The application layer: the use cases behind the public API.

Commands validated at the edge (`commands`), decided by `decisions` on aggregates loaded
from the log, executed and saved by one `execution.Executor` (load, decide, save, retry),
the billing run in atomic batches, idempotency, the read side (`reports`) and the typed
results every answer is made of. It builds on `pfdo.projections`, `pfdo.storage` and
`pfdo.domain`, never on the desk, the auditor's toolkit or the command line.
"""
