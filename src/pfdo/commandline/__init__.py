"""The `pfdo` command line's groups, one module per group of commands.

`pfdo.cli` is the root that the console script names; it loads these modules only when
one of their commands runs, so that `pfdo --help` stays fast.
"""
