"""The HTTP/JSON service over the `Ledger` for portals (`pfdo serve`, docs/SERVICE.md).

`pfdo.service.app.create_app` builds the FastAPI application; `pfdo.service.roles` says
who may do what, `pfdo.service.scope` which objects a token sees, `pfdo.service.problems`
how errors answer, `pfdo.service.grants` makes and revokes the tokens the store keeps
(`pfdo.storage.tokens`). Installed with the `server` extra: `pip install 'pfdo[server]'`.
"""
