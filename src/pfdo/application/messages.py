"""What pfdo says of an error, in Russian or English: one catalogue keyed by the error's code.

The command line and the HTTP service speak from here. `title` is the short sentence of a
code; `detail` says what was refused in the caller's language. A code missing from the
catalogue falls back to its class's code (a finer refusal to `refused`), so that a new code
never leaves a caller without a sentence.
"""

from __future__ import annotations

from typing import Literal

from pfdo.domain.errors import PfdoError

Language = Literal["ru", "en"]

CATALOGUE: dict[str, tuple[str, str]] = {
    "error": ("Ошибка", "Error"),
    "invalid_input": ("Неверные входные данные", "Invalid input"),
    "refused": ("Отказано по правилам", "Refused by the rules"),
    "not_found": ("Не найдено", "Not found"),
    "already_exists": ("Уже существует", "Already exists"),
    "period_closed": ("Период закрыт", "The period is closed"),
    "certificate_annulled": ("Сертификат аннулирован", "The certificate is annulled"),
    "limit_exceeded": ("Превышен лимит", "A limit would be exceeded"),
    "idempotency_conflict": (
        "Ключ запроса уже использован с другими параметрами",
        "The request id was used with other arguments",
    ),
    "store_unavailable": ("Хранилище недоступно", "The store is unavailable"),
    "concurrency_conflict": (
        "Одновременные изменения: повторите запрос",
        "Concurrent changes: retry the request",
    ),
}


def title(code: str, language: Language = "ru") -> str:
    """The short sentence of `code` in `language`."""
    ru, en = CATALOGUE.get(code, CATALOGUE["error"])
    return ru if language == "ru" else en


def _known_code(error: PfdoError) -> str:
    for cls in type(error).__mro__:
        code = getattr(cls, "code", None)
        if isinstance(code, str) and code in CATALOGUE:
            return code
    return "error"


def detail(error: PfdoError, language: Language = "ru") -> str:
    """What `error` says, in `language`: the English text is the error's own message."""
    if language == "en":
        return str(error)
    return f"{title(_known_code(error), 'ru')}: {error}"
