"""The pure domain of pfdo: money, dates, pricing arithmetic, aggregates and their events.

Nothing here does I/O: the aggregates decide, the application layer loads and saves them.
"""
