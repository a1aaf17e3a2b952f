"""Every error of the service as `application/problem+json` (RFC 9457).

`{"type", "title", "status", "detail", "code"}` and, for invalid input, `"fields": [{"field",
"reason"}]`. `code` is the library's `PfdoError.code`; the status comes from `STATUS` by the
first class in the error's MRO whose code is there, so a finer refusal the table does not
name yet answers as its parent (409). Titles and details come from the catalogue
(`pfdo.application.messages`), in Russian unless the request asks for English
(`Accept-Language: en`); the service's own codes (`unauthorized`, `forbidden`, ...) have
their sentences here. No answer carries a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from pfdo.application import messages
from pfdo.application.messages import Language
from pfdo.domain.errors import PfdoError

MEDIA_TYPE = "application/problem+json"

#: HTTP status by error code; a code not here answers as the nearest class in its MRO that is.
STATUS: dict[str, int] = {
    "invalid_input": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "request_too_large": 413,
    "refused": 409,
    "already_exists": 409,
    "limit_exceeded": 409,
    "capacity": 409,
    "age": 409,
    "overlap": 409,
    "not_funded": 409,
    "insufficient_hours": 409,
    "period_closed": 409,
    "certificate_annulled": 409,
    "idempotency_conflict": 409,
    "store_unavailable": 503,
    "concurrency_conflict": 503,
    "error": 500,
}

#: The service's own codes, which no library error has: (Russian, English) titles.
SERVICE_TITLES: dict[str, tuple[str, str]] = {
    "unauthorized": ("Нужен действующий токен доступа", "A valid access token is required"),
    "forbidden": ("Роли токена это не разрешено", "The token's role may not do this"),
    "method_not_allowed": ("Метод не поддерживается", "Method not allowed"),
    "request_too_large": ("Слишком большой запрос", "The request is too large"),
    "internal": ("Внутренняя ошибка сервиса", "Internal error of the service"),
}


class ProblemField(BaseModel):
    """One input field at fault and why."""

    field: str
    reason: str


class Problem(BaseModel):
    """An error answer (RFC 9457), as every failed request gets it."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    fields: list[ProblemField] | None = None


class ServiceProblem(Exception):
    """An error of the service itself (no token, a role that may not, a body too large)."""

    def __init__(self, code: str, status: int, detail: tuple[str, str]) -> None:
        super().__init__(detail[1])
        self.code, self.status, self.detail = code, status, detail


def unauthorized() -> ServiceProblem:
    """No token, or one that is unknown or revoked (they are not told apart)."""
    return ServiceProblem(
        "unauthorized",
        401,
        (
            "передайте действующий токен в заголовке Authorization: Bearer TOKEN",
            "send a valid token in the header Authorization: Bearer TOKEN",
        ),
    )


def forbidden(role: str) -> ServiceProblem:
    """A role that may not call the operation."""
    return ServiceProblem(
        "forbidden",
        403,
        (f"роль {role} не может выполнять этот запрос", f"the role {role} may not do this"),
    )


def language_of(header: str | None) -> Language:
    """`en` when the caller prefers English to Russian (`Accept-Language`), else `ru`."""
    best: tuple[float, Language] = (0.0, "ru")
    for part in (header or "").split(","):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in ("ru", "en"):
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > best[0]:
            best = (quality, "en" if primary == "en" else "ru")
    return best[1]


def status_of(error: PfdoError) -> int:
    """The status of a library error: by its code, walking its classes (unknown: 409 for
    a refusal, 500 for anything else)."""
    for cls in type(error).__mro__:
        code = cls.__dict__.get("code")
        if isinstance(code, str) and code in STATUS:
            return STATUS[code]
    return STATUS["error"]


def _type(code: str) -> str:
    return f"urn:pfdo:problem:{code}"


def _title(code: str, language: Language) -> str:
    if code in SERVICE_TITLES:
        ru, en = SERVICE_TITLES[code]
        return ru if language == "ru" else en
    return messages.title(code, language)


def answer(
    code: str,
    status: int,
    detail: str,
    language: Language,
    fields: Sequence[tuple[str, str]] = (),
    headers: dict[str, str] | None = None,
    title_code: str | None = None,
) -> JSONResponse:
    """The problem document as a response (its title that of `title_code`, default `code`)."""
    body: dict[str, Any] = {
        "type": _type(code),
        "title": _title(title_code or code, language),
        "status": status,
        "detail": detail,
        "code": code,
    }
    if code == "invalid_input":
        body["fields"] = [{"field": f, "reason": r} for f, r in fields]
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def of_error(error: PfdoError, language: Language) -> JSONResponse:
    """A library error as a problem."""
    fields: Iterable[tuple[str, str]] = getattr(error, "fields", ()) or ()
    return answer(
        error.code,
        status_of(error),
        messages.detail(error, language),
        language,
        tuple((str(f), str(r)) for f, r in fields),
        title_code=_catalogued(error),
    )


def _catalogued(error: PfdoError) -> str:
    """The error's code if the catalogue has it, else the nearest parent's that it has."""
    for cls in type(error).__mro__:
        code = cls.__dict__.get("code")
        if isinstance(code, str) and code in messages.CATALOGUE:
            return code
    return "error"


def of_service(problem: ServiceProblem, language: Language) -> JSONResponse:
    """One of the service's own problems."""
    ru, en = problem.detail
    detail = f"{_title(problem.code, 'ru')}: {ru}" if language == "ru" else en
    headers = {"WWW-Authenticate": "Bearer"} if problem.status == 401 else None
    return answer(problem.code, problem.status, detail, language, headers=headers)
