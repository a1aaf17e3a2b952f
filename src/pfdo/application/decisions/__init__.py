"""The decisions behind the writing commands: one function per command, grouped by what
they decide about. Each takes the executor and a validated command and returns the
result with the aggregates it changed; `pfdo.application.execution` saves them."""
