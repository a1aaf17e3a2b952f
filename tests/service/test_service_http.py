"""The service's HTTP contract over a real server: tokens, idempotency per token, problem
documents, bad input writing nothing, the actor of every event, pages, the OpenAPI
document, the body limit and CORS (docs/SERVICE.md)."""

from __future__ import annotations

from typing import Any

from openapi_spec_validator import validate
from service_helpers import FIRST, Server, World, is_problem, serving

from pfdo.service.grants import Tokens


def test_health_and_the_openapi_document_need_no_token(server: Server, world: World) -> None:
    with server.client() as client:
        health = client.get("/health")
        document = client.get("/openapi.json")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "log_position": world.ledger.log_position()}
    assert document.status_code == 200
    spec: Any = document.json()
    assert spec["openapi"].startswith("3.1")
    validate(spec)
    assert "bearer" in str(spec["components"]["securitySchemes"]).lower()


def test_no_token_a_made_up_one_and_a_revoked_one_are_unauthorized(
    server: Server, world: World
) -> None:
    tokens = Tokens(world.ledger)
    try:
        made = tokens.create("short-lived", "admin").token
        with server.client(made) as client:
            assert client.get("/providers").status_code == 200
            tokens.revoke("short-lived")
            # seen at once: the next request reads the token's row again
            is_problem(client.get("/providers"), 401, "unauthorized")
    finally:
        tokens.close()
    name, _, secret = world.tokens["admin"].rpartition(".")
    for headers in (
        {},
        {"Authorization": "Bearer made-up.token"},
        {"Authorization": f"Bearer {name}.{secret[:-2]}xx"},
        {"Authorization": f"Bearer {name}"},
        {"Authorization": f"Basic {world.tokens['admin']}"},
    ):
        with server.client(**headers) as client:
            response = client.get("/providers")
        is_problem(response, 401, "unauthorized")
        assert response.headers["www-authenticate"] == "Bearer"
        assert secret not in response.text


JSON = {"Content-Type": "application/json"}


def _issue(child: str) -> dict[str, Any]:
    return {"child": child, "birth_date": "2016-01-01", "municipality": "city", "on": "2025-01-05"}


def test_an_idempotency_key_is_the_tokens_own(server: Server, world: World) -> None:
    key = {"Idempotency-Key": "issue-0001"}
    with server.client(world.tokens["admin"], **key) as admin:
        first = admin.post("/certificates", json=_issue("idem-a"))
        assert first.status_code == 200 and "idempotent-replayed" not in first.headers
        position = world.ledger.log_position()
        again = admin.post("/certificates", json=_issue("idem-a"))
        assert again.status_code == 200
        assert again.headers["idempotent-replayed"] == "true"
        assert (first.json()["replayed"], again.json()["replayed"]) == (False, True)
        assert {**again.json(), "replayed": False} == first.json()
        assert world.ledger.log_position() == position
        other = admin.post("/certificates", json=_issue("idem-other"))
        body = is_problem(other, 409, "idempotency_conflict")
        assert body["detail"]
    # another token with the same key is another request: it runs
    with server.client(world.tokens["portal"], **key) as portal:
        second = portal.post("/certificates", json=_issue("idem-b"))
    assert second.status_code == 200 and "idempotent-replayed" not in second.headers
    assert second.json()["number"] != first.json()["number"]
    assert world.ledger.log_position() > position


def test_an_idempotency_key_too_long_or_blank_is_invalid_input(
    server: Server, world: World
) -> None:
    before = world.ledger.log_position()
    for key in ("k" * 201, "two words", ""):
        with server.client(world.tokens["admin"], **{"Idempotency-Key": key}) as client:
            response = client.post("/certificates", json=_issue("long-key"))
        body = is_problem(response, 400, "invalid_input")
        assert body["fields"][0]["field"] == "Idempotency-Key"
    assert world.ledger.log_position() == before


BAD = [
    ("POST", "/certificates", b"{not json", "body"),
    ("POST", "/certificates", {"child": "x", "municipality": "city"}, "birth_date"),
    ("POST", "/certificates", {**_issue("x"), "birth_date": "2016-13-01"}, "birth_date"),
    ("POST", "/certificates", {**_issue("x"), "colour": "red"}, "colour"),
    ("POST", "/certificates", {**_issue("x"), "child": ["a"]}, "child"),
    ("POST", "/contracts/C-none/attendance", {"dates": "2025-02-01"}, "dates"),
    ("POST", "/periods/2025/nominal", {"category": "base", "nominal": "12,000"}, None),
    ("POST", "/periods/2025/limits", {"category": "base"}, None),
    ("GET", "/providers?limit=0", None, "limit"),
    ("GET", "/providers?limit=1001", None, "limit"),
    ("GET", "/providers?cursor=bm90LWEtY3Vyc29y", None, "cursor"),
    ("GET", f"/certificates/{FIRST}/balance?as_of=yesterday", None, "as_of"),
]


def test_bad_input_is_a_problem_with_its_fields_and_writes_nothing(
    server: Server, world: World
) -> None:
    before = world.ledger.log_position()
    with server.client(world.tokens["admin"]) as client:
        for method, path, body, field in BAD:
            if isinstance(body, bytes):
                response = client.request(
                    method, path, content=body, headers={"Content-Type": "application/json"}
                )
            else:
                response = client.request(method, path, json=body)
            problem = is_problem(response, 400, "invalid_input")
            assert isinstance(problem["fields"], list), problem
            if field is not None:
                assert field in {f["field"] for f in problem["fields"]}, (path, problem)
    assert world.ledger.log_position() == before


def test_detail_is_russian_by_default_and_english_when_asked(server: Server, world: World) -> None:
    path = "/certificates/1999999999"
    with server.client(world.tokens["admin"]) as client:
        ru = is_problem(client.get(path), 404, "not_found")
        en = is_problem(
            client.get(path, headers={"Accept-Language": "en-GB,en;q=0.9"}), 404, "not_found"
        )
        preferred = client.get(path, headers={"Accept-Language": "en;q=0.3, ru;q=0.8"}).json()
    assert ru["title"] == "Не найдено" and en["title"] == "Not found"
    assert ru["detail"].startswith("Не найдено") and en["detail"] == (
        "certificate 1999999999 does not exist"
    )
    assert preferred["title"] == ru["title"]


def test_unknown_paths_methods_and_large_bodies_answer_as_problems(
    server: Server, world: World
) -> None:
    with server.client(world.tokens["admin"]) as client:
        is_problem(client.get("/no-such-path"), 404, "not_found")
        is_problem(client.delete("/providers"), 405, "method_not_allowed")
        big = {"child": "x" * (1024 * 1024 + 1)}
        is_problem(client.post("/certificates", json=big), 413, "request_too_large")

        def chunks() -> Any:
            for _ in range(20):
                yield b" " * 65536  # more than a MiB, without a length

        is_problem(
            client.post(
                "/certificates", content=chunks(), headers={"Content-Type": "application/json"}
            ),
            413,
            "request_too_large",
        )


def test_every_event_a_request_writes_names_its_token(server: Server, world: World) -> None:
    number = world.fresh_certificate()
    with server.client(world.tokens["portal"]) as portal:
        enrolled = portal.post(
            "/contracts",
            json={
                "number": number,
                "program": "chess",
                "start": "2025-03-01",
                "end": "2025-04-30",
                "on": "2025-02-20",
            },
        )
        assert enrolled.status_code == 200, enrolled.text
        history = portal.get(f"/certificates/{number}/history").json()
    actors = [(m["kind"], m["actor"]) for m in history["movements"]]
    assert actors[0] == ("funded", "test-setup")
    reserved = [actor for kind, actor in actors if kind == "reserved"]
    assert reserved and set(reserved) == {"token:portal"}
    card = world.ledger.contract(enrolled.json()["contract"])
    assert card.actor == "token:portal"


def test_lists_come_a_page_at_a_time_to_the_end(server: Server, world: World) -> None:
    for _ in range(7):
        world.fresh_provider()
    with server.client(world.tokens["admin"]) as client:
        everything = client.get("/providers", params={"limit": 1000}).json()
        assert everything["next_cursor"] is None
        walked: list[str] = []
        cursor = None
        pages = 0
        while True:
            params: dict[str, Any] = {"limit": 3}
            if cursor is not None:
                params["cursor"] = cursor
            page = client.get("/providers", params=params).json()
            assert len(page["providers"]) <= 3
            walked += [p["provider"] for p in page["providers"]]
            pages += 1
            cursor = page["next_cursor"]
            if cursor is None:
                break
        default = client.get("/providers").json()
    expected = [p["provider"] for p in everything["providers"]]
    assert len(expected) >= 9
    assert walked == expected
    assert pages == -(-len(expected) // 3)
    assert [p["provider"] for p in default["providers"]] == expected[:100]


def test_cors_is_off_unless_origins_are_given(server: Server, world: World) -> None:
    with server.client() as client:
        preflight = client.options(
            "/providers",
            headers={"Origin": "https://portal.example", "Access-Control-Request-Method": "GET"},
        )
    assert "access-control-allow-origin" not in preflight.headers


def test_no_answer_carries_a_traceback_or_a_token(server: Server, world: World) -> None:
    log = server.log.name
    with server.client(world.tokens["admin"]) as client:
        client.get("/certificates/1999999999")
        client.post("/certificates", json={"child": None})
    with open(log, encoding="utf-8", errors="replace") as f:
        text = f.read()
    for token in world.tokens.values():
        assert token.rpartition(".")[2] not in text


def test_the_service_answers_what_the_library_answers(server: Server, world: World) -> None:
    """The same documents as `--json`: a certificate's card and balance."""
    with server.client(world.tokens["auditor"]) as client:
        card = client.get(f"/certificates/{FIRST}").json()
        balance = client.get(f"/certificates/{FIRST}/balance").json()
    assert card == world.ledger.certificate(FIRST).model_dump(mode="json")
    assert balance == world.ledger.balance(FIRST).model_dump(mode="json")


def test_cors_answers_the_origins_given_and_no_other(world: World) -> None:
    origin = "https://portal.example"
    with serving(world.db, "--cors-origin", origin) as running, running.client() as client:
        asked = {"Access-Control-Request-Method": "POST"}
        allowed = client.options("/contracts", headers={"Origin": origin, **asked})
        other = client.options(
            "/contracts", headers={"Origin": "https://elsewhere.example", **asked}
        )
        simple = client.get("/health", headers={"Origin": origin})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == origin
    assert "access-control-allow-origin" not in other.headers
    assert simple.headers["access-control-allow-origin"] == origin
    assert "idempotent-replayed" in simple.headers["access-control-expose-headers"].lower()
