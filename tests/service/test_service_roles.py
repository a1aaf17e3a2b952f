"""Every role against every path of the service, table-driven (docs/SERVICE.md, roles).

Each case names the roles that may call it. A role that may gets its answer (2xx; for a
few writes whose success needs a state the case does not build, the library's own
refusal, which shows the request passed the token's checks); every other role gets 403
`forbidden`. Then the scoped tokens meet objects outside their scope: 404 `not_found`,
worded exactly as for an object that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from service_helpers import FIRST, ROLES, SECOND, Server, World, is_problem

EVERYONE = set(ROLES)
OPERATORS = {"admin", "operator", "operator_city"}
REGION = {"admin", "operator"}
READERS = OPERATORS | {"auditor"}

Request = tuple[str, str, dict[str, Any] | None]


@dataclass(frozen=True)
class Case:
    """One path: the request (built afresh for each role) and the roles that may call it."""

    name: str
    request: Callable[[World], Request]
    allowed: frozenset[str]
    #: True: an allowed call succeeds; False: it reaches the library, which may refuse it
    succeeds: bool = True


def case(name: str, allowed: set[str], succeeds: bool = True) -> Callable[..., Case]:
    def make(request: Callable[[World], Request]) -> Case:
        return Case(name, request, frozenset(allowed), succeeds)

    return make


CASES = [
    case("GET /periods", READERS)(lambda w: ("GET", "/periods", None)),
    case("POST /periods", OPERATORS)(
        lambda w: (
            "POST",
            "/periods",
            {
                "period": f"new-{w.next()}",
                "municipality": "city",
                "start": f"{1800 + w.next()}-01-01",
                "end": f"{1800 + w.next() - 1}-12-31",
                "categories": [{"name": "base", "nominal": "100"}],
                "on": "2025-01-01",
            },
        )
    ),
    case("POST /periods/{p}/close", OPERATORS)(
        lambda w: ("POST", f"/periods/{w.fresh_period()}/close", {"on": "2025-01-05"})
    ),
    case("POST /periods/{p}/nominal", OPERATORS)(
        lambda w: (
            "POST",
            f"/periods/{w.fresh_period()}/nominal",
            {"category": "small", "nominal": 1500, "on": "2025-01-05"},
        )
    ),
    case("POST /periods/{p}/limits", OPERATORS)(
        lambda w: (
            "POST",
            f"/periods/{w.fresh_period()}/limits",
            {"category": "base", "count": 50, "on": "2025-01-05"},
        )
    ),
    case("POST /periods/{p}/settings", OPERATORS)(
        lambda w: (
            "POST",
            f"/periods/{w.fresh_period()}/settings",
            {"advance": 30, "on": "2025-01-05"},
        )
    ),
    case("GET /periods/{p}/report", READERS)(lambda w: ("GET", "/periods/2025/report", None)),
    case("GET /providers", READERS | {"portal"})(lambda w: ("GET", "/providers", None)),
    case("POST /providers", REGION)(
        lambda w: (
            "POST",
            "/providers",
            {"provider": f"p-{w.next()}", "name": "P", "on": "2025-01-05"},
        )
    ),
    case("POST /providers/{p}/exclude", REGION)(
        lambda w: ("POST", f"/providers/{w.fresh_provider()}/exclude", {"on": "2025-01-05"})
    ),
    case("GET /programs", READERS | {"portal", "provider"})(lambda w: ("GET", "/programs", None)),
    case("POST /programs", REGION)(
        lambda w: (
            "POST",
            "/programs",
            {
                "program": f"g-{w.next()}",
                "provider": "school-1",
                "title": "G",
                "monthly_price": "900.50",
                "min_age": 5,
                "max_age": 10,
                "on": "2025-01-05",
            },
        )
    ),
    case("POST /programs/{p}/withdraw", REGION)(
        lambda w: ("POST", f"/programs/{w.fresh_program()}/withdraw", {"on": "2025-01-05"})
    ),
    case("POST /programs/{p}/settings", REGION | {"provider"})(
        lambda w: (
            "POST",
            f"/programs/{w.fresh_program()}/settings",
            {"prolongation": False, "on": "2025-01-05"},
        )
    ),
    case("POST /certificates", OPERATORS | {"portal"})(
        lambda w: (
            "POST",
            "/certificates",
            {
                "child": f"c-{w.next()}",
                "birth_date": "2016-03-01",
                "municipality": "city",
                "on": "2025-01-05",
            },
        )
    ),
    case("GET /certificates/{n}", READERS | {"portal", "family"})(
        lambda w: ("GET", f"/certificates/{FIRST}", None)
    ),
    case("GET /certificates/{n}/balance", READERS | {"portal", "family"})(
        lambda w: ("GET", f"/certificates/{FIRST}/balance?period=2025&as_of=2025-03-01", None)
    ),
    case("GET /certificates/{n}/history", READERS | {"portal", "family"})(
        lambda w: ("GET", f"/certificates/{FIRST}/history", None)
    ),
    case("POST /certificates/{n}/fundings", OPERATORS | {"portal"})(
        lambda w: (
            "POST",
            f"/certificates/{w.fresh_certificate(funded=False)}/fundings",
            {"period": "2025", "category": "base", "on": "2025-01-10"},
        )
    ),
    case("POST /certificates/{n}/unfund", OPERATORS)(
        lambda w: (
            "POST",
            f"/certificates/{w.fresh_certificate()}/unfund",
            {"period": "2025", "on": "2025-01-11"},
        )
    ),
    case("POST /certificates/{n}/move", OPERATORS)(
        lambda w: (
            "POST",
            f"/certificates/{w.fresh_certificate(funded=False)}/move",
            {"to": "village", "on": "2025-01-11"},
        )
    ),
    case("POST /certificates/{n}/annul", OPERATORS)(
        lambda w: (
            "POST",
            f"/certificates/{w.fresh_certificate(funded=False)}/annul",
            {"reason": "issued twice", "on": "2025-01-11"},
        )
    ),
    case("POST /contracts", OPERATORS | {"portal"})(
        lambda w: (
            "POST",
            "/contracts",
            {
                "number": w.fresh_certificate(),
                "program": "chess",
                "start": "2025-02-01",
                "end": "2025-03-31",
                "on": "2025-01-12",
            },
        )
    ),
    case("GET /contracts?certificate=", READERS | {"portal", "family"})(
        lambda w: ("GET", f"/contracts?certificate={FIRST}", None)
    ),
    case("GET /contracts?program=", READERS | {"portal", "provider"})(
        lambda w: ("GET", "/contracts?program=chess", None)
    ),
    case("GET /contracts/{c}", EVERYONE)(
        lambda w: ("GET", f"/contracts/{w.contracts[FIRST]}", None)
    ),
    case("POST /contracts/{c}/attendance", OPERATORS | {"provider"})(
        lambda w: (
            "POST",
            f"/contracts/{w.fresh_contract()}/attendance",
            {"dates": ["2025-02-03", "2025-02-05"], "on": "2025-02-06"},
        )
    ),
    case("POST /contracts/{c}/terminate", OPERATORS | {"provider", "portal"})(
        lambda w: (
            "POST",
            f"/contracts/{w.fresh_contract()}/terminate",
            {"reason": "moved away", "on": "2025-02-10"},
        )
    ),
    # a correction needs a billed month; an unbilled one is the library's refusal
    case("POST /contracts/{c}/corrections", OPERATORS, succeeds=False)(
        lambda w: (
            "POST",
            f"/contracts/{w.fresh_contract()}/corrections",
            {"month": "2025-02", "refund": "100", "reason": "missed", "on": "2025-03-05"},
        )
    ),
    case("POST /contracts/{c}/continue", OPERATORS | {"portal"})(
        lambda w: (
            "POST",
            f"/contracts/{w.fresh_contract(end='2026-03-31')}/continue",
            {"stop": True, "on": "2025-03-01"},
        )
    ),
    case("POST /billing-runs", REGION)(
        lambda w: ("POST", "/billing-runs", {"month": "2024-06", "on": "2024-07-01"})
    ),
    case("POST /prolongations", REGION)(
        lambda w: ("POST", "/prolongations", {"period": "2025", "on": "2025-01-02"})
    ),
    case("GET /registers/{p}/{m}", READERS | {"provider"})(
        lambda w: ("GET", "/registers/school-1/2025-01", None)
    ),
    case("GET /invoices", READERS | {"provider"})(lambda w: ("GET", "/invoices", None)),
    # invoices need a period's advance rate and billed months: refusals show the way through
    case("POST /invoices/advances", REGION, succeeds=False)(
        lambda w: (
            "POST",
            "/invoices/advances",
            {"provider": "school-1", "month": "2025-05", "on": "2025-05-01"},
        )
    ),
    case("POST /invoices", REGION, succeeds=False)(
        lambda w: (
            "POST",
            "/invoices",
            {"provider": "school-1", "month": "2025-05", "on": "2025-06-01"},
        )
    ),
    case("POST /invoices/payments", REGION, succeeds=False)(
        lambda w: (
            "POST",
            "/invoices/payments",
            {"invoice": "school-1/2025-05", "on": "2025-06-02"},
        )
    ),
    case("GET /queues/{p}/{c}", READERS)(lambda w: ("GET", "/queues/2025/base", None)),
    case("POST /queues/{p}/leave", OPERATORS, succeeds=False)(
        lambda w: ("POST", "/queues/2025/leave", {"number": FIRST, "on": "2025-01-20"})
    ),
    case("GET /audit/verify", {"admin", "operator", "auditor"})(
        lambda w: ("GET", "/audit/verify", None)
    ),
    case("GET /audit/export", {"admin", "operator", "auditor"})(
        lambda w: ("GET", "/audit/export", None)
    ),
]


def test_the_cases_cover_every_path_of_the_openapi_document(server: Server, world: World) -> None:
    with server.client() as client:
        paths = client.get("/openapi.json").json()["paths"]
    documented = {
        (method.upper(), path) for path, methods in paths.items() for method in methods
    } - {("GET", "/health"), ("GET", "/openapi.json")}
    covered = set()
    for c in CASES:
        method, path = c.name.split(" ", 1)
        covered.add((method, path.split("?")[0]))
    shapes = {(m, _shape(p)) for m, p in documented}
    assert shapes == {(m, _shape(p)) for m, p in covered}


def _shape(path: str) -> str:
    return "/".join("{}" if part.startswith("{") else part for part in path.split("/"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_a_role_may_call_what_its_table_allows_and_is_forbidden_the_rest(
    server: Server, world: World, c: Case, role: str
) -> None:
    method, path, body = c.request(world)
    with server.client(world.tokens[role]) as client:
        response = client.request(method, path, json=body)
    if role not in c.allowed:
        is_problem(response, 403, "forbidden")
    elif c.succeeds:
        assert response.status_code == 200, (response.status_code, response.text)
        assert response.headers["content-type"].startswith(
            ("application/json", "application/x-ndjson")
        )
    else:
        assert response.status_code in (400, 404, 409), response.text
        assert response.json()["code"] not in ("forbidden", "unauthorized")


OUTSIDE = [
    ("operator_city", "GET", f"/certificates/{SECOND}", "certificate"),
    ("operator_city", "GET", f"/certificates/{SECOND}/balance", "certificate"),
    ("operator_city", "GET", "/contracts/{C2}", "contract"),
    ("operator_city", "POST", "/contracts/{C2}/terminate", "contract"),
    ("operator_city", "POST", "/periods/2025v/nominal", "period"),
    ("operator_city", "GET", "/queues/2025v/base", "period"),
    ("operator_city", "GET", f"/contracts?certificate={SECOND}", "certificate"),
    ("family", "GET", f"/certificates/{SECOND}", "certificate"),
    ("family", "GET", f"/certificates/{SECOND}/history", "certificate"),
    ("family", "GET", "/contracts/{C2}", "contract"),
    ("family", "GET", f"/contracts?certificate={SECOND}", "certificate"),
    ("provider", "GET", "/contracts/{C2}", "contract"),
    ("provider", "POST", "/contracts/{C2}/attendance", "contract"),
    ("provider", "GET", "/registers/school-2/2025-01", "provider"),
    ("provider", "GET", "/contracts?program=art", "program"),
    ("provider", "POST", "/programs/art/settings", "program"),
    ("provider", "GET", "/programs?provider=school-2", "provider"),
    ("provider", "GET", "/invoices?provider=school-2", "provider"),
]
_BODIES: dict[str, dict[str, Any]] = {
    "/periods/2025v/nominal": {"category": "base", "nominal": "1"},
    "/contracts/{C2}/terminate": {"on": "2025-02-10"},
    "/contracts/{C2}/attendance": {"dates": ["2025-02-03"], "on": "2025-02-05"},
    "/programs/art/settings": {"prolongation": False},
}


@pytest.mark.parametrize(("role", "method", "path", "what"), OUTSIDE)
def test_an_object_outside_the_tokens_scope_is_not_found_as_if_it_did_not_exist(
    server: Server, world: World, role: str, method: str, path: str, what: str
) -> None:
    body = _BODIES.get(path)
    real = path.replace("{C2}", world.contracts[SECOND])
    before = world.ledger.log_position()
    with server.client(world.tokens[role], **{"Accept-Language": "en"}) as client:
        hidden = is_problem(client.request(method, real, json=body), 404, "not_found")
    assert world.ledger.log_position() == before
    assert hidden["detail"].endswith("does not exist"), hidden
    assert hidden["detail"].startswith(what), hidden
    # an object that does not exist answers the same sentence, its name aside
    if what == "certificate":
        missing_path, key, missing = "/certificates/1999999999", SECOND, "1999999999"
        with server.client(world.tokens["admin"], **{"Accept-Language": "en"}) as client:
            missing_doc = is_problem(client.get(missing_path), 404, "not_found")
        assert missing_doc["detail"] == hidden["detail"].replace(key, missing)
        assert missing_doc["title"] == hidden["title"]
        # and in Russian, the default, too
        with server.client(world.tokens[role]) as client:
            hidden_ru = is_problem(client.request(method, real, json=body), 404, "not_found")
        with server.client(world.tokens["admin"]) as client:
            missing_ru = is_problem(client.get(missing_path), 404, "not_found")
        assert missing_ru["detail"] == hidden_ru["detail"].replace(key, missing)
        assert missing_ru["detail"] == f"Не найдено: сертификат {missing}"
