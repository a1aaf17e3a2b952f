"""The HTTP/JSON service over the `Ledger` (docs/SERVICE.md): the application factory.

`create_app(options)` builds a FastAPI application whose worker opens one `Ledger` on the
store when it starts and closes it when it stops. Every path but `/health` and
`/openapi.json` needs a token (`Authorization: Bearer TOKEN`); every error is a problem
document (`pfdo.service.problems`); bodies above `Options.max_body` bytes are refused with
413 before they are read whole. CORS is off unless origins are given.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from importlib import metadata
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from pfdo.application.messages import title
from pfdo.domain.errors import PfdoError
from pfdo.service import audit_routes, certificate_routes, contract_routes, registry_routes
from pfdo.service.context import Options, Service
from pfdo.service.problems import (
    MEDIA_TYPE,
    STATUS,
    Problem,
    ServiceProblem,
    answer,
    language_of,
    of_error,
    of_service,
)

log = logging.getLogger(__name__)

_PROBLEM = {"model": Problem, "content": {MEDIA_TYPE: {}}}
_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {**_PROBLEM, "description": code}
    for code, status in (
        ("invalid_input", 400),
        ("unauthorized", 401),
        ("forbidden", 403),
        ("not_found", 404),
        ("refused", 409),
        ("request_too_large", 413),
        ("store_unavailable", 503),
    )
}

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _language(request: Request) -> Any:
    return language_of(request.headers.get("accept-language"))


def _fields_of(error: RequestValidationError) -> list[tuple[str, str]]:
    fields = []
    for item in error.errors():
        if item.get("type") == "json_invalid":
            fields.append(("body", "not a JSON document"))
            continue
        where = [str(part) for part in item.get("loc", ()) if part not in ("body", "query", "path")]
        fields.append((".".join(where) or "body", str(item.get("msg", "invalid"))))
    return fields


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(PfdoError)
    async def pfdo_error(request: Request, error: PfdoError) -> JSONResponse:
        status = STATUS.get(error.code)
        if status is None or status >= 500:
            log.warning("pfdo: %s %s answered %s: %s", request.method, request.url.path,
                        error.code, error)  # fmt: skip
        return of_error(error, _language(request))

    @app.exception_handler(ServiceProblem)
    async def service_problem(request: Request, problem: ServiceProblem) -> JSONResponse:
        return of_service(problem, _language(request))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        fields = _fields_of(error)
        said = "; ".join(f"{field}: {reason}" for field, reason in fields)
        language = _language(request)
        detail = f"{title('invalid_input', language)}: {said}" if language == "ru" else said
        return answer("invalid_input", 400, detail, language, fields)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        language = _language(request)
        if error.status_code == 404:
            en = f"no such path: {request.url.path}"
            ru = f"Не найдено: нет пути {request.url.path}"
            return answer("not_found", 404, ru if language == "ru" else en, language)
        if error.status_code == 405:
            en = f"{request.method} is not allowed on {request.url.path}"
            ru = f"Метод не поддерживается: {request.method} {request.url.path}"
            return answer("method_not_allowed", 405, ru if language == "ru" else en, language)
        code = "invalid_input" if error.status_code == 400 else "error"
        return answer(code, error.status_code, str(error.detail), language)

    @app.exception_handler(Exception)
    async def internal(request: Request, error: Exception) -> JSONResponse:
        log.error("pfdo: %s %s failed", request.method, request.url.path, exc_info=error)
        language = _language(request)
        detail = (
            "Внутренняя ошибка сервиса: подробности в журнале сервера"
            if language == "ru"
            else "the service failed; the server's log has the details"
        )
        return answer("internal", 500, detail, language)


class BodyLimit:
    """Refuse (413) a request whose body is larger than `limit` bytes: by its
    Content-Length before reading, or as soon as a streamed body passes the limit."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(scope, receive, send, headers)
            return
        body = bytearray()
        messages: list[Message] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if len(body) > self.limit:
                await self._refuse(scope, receive, send, headers)
                return
            if not message.get("more_body", False):
                break
        replay = iter(messages)

        async def replayed() -> Message:
            return next(replay, None) or await receive()

        await self.app(scope, replayed, send)

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, headers: dict[bytes, bytes]
    ) -> None:
        language = language_of(headers.get(b"accept-language", b"").decode("latin-1"))
        en = f"the body is larger than {self.limit:,} bytes"
        ru = f"Слишком большой запрос: тело больше {self.limit:,} байт"
        response = answer("request_too_large", 413, ru if language == "ru" else en, language)
        await response(scope, receive, send)


def _version() -> str:
    try:
        return metadata.version("pfdo")
    except metadata.PackageNotFoundError:
        return "0"


def create_app(options: Options | None = None) -> FastAPI:
    """The service's application on the store of `options` (default: the options `pfdo
    serve` left in the environment, else `PFDO_DB`)."""
    chosen = options if options is not None else Options.from_environment()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.service = Service(chosen)
        try:
            yield
        finally:
            app.state.service.close()

    app = FastAPI(
        title="pfdo",
        version=_version(),
        summary="Personalised financing of children's supplementary education (ПФДО)",
        lifespan=lifespan,
        responses=_ERRORS,
        docs_url=None,
        redoc_url=None,
    )
    _handlers(app)
    for module in (audit_routes, registry_routes, certificate_routes, contract_routes):
        app.include_router(module.router)
    if chosen.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(chosen.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "Accept-Language"],
            expose_headers=["Idempotent-Replayed"],
        )
    app.add_middleware(BodyLimit, limit=chosen.max_body)
    return app


def from_environment() -> FastAPI:
    """The factory uvicorn's workers call (`pfdo serve`)."""
    return create_app(Options.from_environment())
