"""What pfdo says of an error, in Russian or English: one catalogue keyed by the error's code.

The command line and the HTTP service speak from here. `title` is the short sentence of a
code; `detail` says what was refused in the caller's language. In English the detail is the
error's own message. In Russian it is the code's sentence, filled with what the error
names (`PfdoError.params`: the certificate, the program, the period, ...), or the title
followed by the fields at fault (`InvalidInput.fields`), or by the error's own message when
it names nothing. A code missing from the catalogue falls back to its class's code (a finer
refusal to `refused`), so that a new code never leaves a caller without a sentence.
`language_of` picks the language of a process from its locale (`LC_ALL`, `LC_MESSAGES`,
`LANG`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pfdo.domain.errors import InvalidInput, PfdoError

Language = Literal["ru", "en"]
LANGUAGES: tuple[Language, ...] = ("ru", "en")

#: code -> (Russian title, English title)
CATALOGUE: dict[str, tuple[str, str]] = {
    "error": ("Ошибка", "Error"),
    "invalid_input": ("Неверные входные данные", "Invalid input"),
    "refused": ("Отказано по правилам", "Refused by the rules"),
    "not_found": ("Не найдено", "Not found"),
    "already_exists": ("Уже существует", "Already exists"),
    "period_closed": ("Период закрыт", "The period is closed"),
    "certificate_annulled": ("Сертификат аннулирован", "The certificate is annulled"),
    "limit_exceeded": ("Превышен лимит", "A limit would be exceeded"),
    "capacity": ("Нет свободных мест в программе", "The program is full"),
    "age": ("Возраст ребёнка не подходит", "The child's age is outside the rules"),
    "overlap": ("Пересечение дат", "The dates overlap"),
    "not_funded": ("Сертификат не обеспечен на период", "The certificate is not funded"),
    "insufficient_hours": (
        "Недостаточно часов на сертификате",
        "Not enough hours on the certificate",
    ),
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

#: What an error may name (`PfdoError.params`), said in Russian, in the order said.
NAMES_RU: dict[str, str] = {
    "certificate": "сертификат",
    "contract": "договор",
    "program": "программа",
    "provider": "организация",
    "municipality": "муниципалитет",
    "period": "период",
    "category": "категория",
    "month": "месяц",
    "invoice": "счёт",
    "age": "возраст",
    "request_id": "ключ запроса",
}

#: The Russian sentence of a code, when the error names all the parameters it uses.
SENTENCES_RU: dict[str, str] = {
    "capacity": "Программа {program} заполнена: свободных мест на эти даты нет",
    "not_funded": "Сертификат {certificate} не обеспечен на период {period}",
    "period_closed": "Период {period} закрыт и не принимает команд",
    "certificate_annulled": "Сертификат {certificate} аннулирован и не принимает команд",
    "overlap": "Пересечение дат: {named}",
    "age": "Возраст ребёнка не подходит: {named}",
    "insufficient_hours": "Недостаточно часов на сертификате для программы {program}",
    "not_found": "Не найдено: {named}",
    "limit_exceeded": "Превышен лимит категории {category} периода {period}",
    "idempotency_conflict": (
        "Ключ запроса {request_id} уже использован для другой команды или с другими "
        "параметрами: возьмите новый ключ"
    ),
    "already_exists": "Уже существует: {named}",
}


def title(code: str, language: Language = "ru") -> str:
    """The short sentence of `code` in `language`."""
    ru, en = CATALOGUE.get(code, CATALOGUE["error"])
    return ru if language == "ru" else en


def known_code(error: PfdoError) -> str:
    """The error's code, or that of the nearest class above it the catalogue knows."""
    for cls in type(error).__mro__:
        code = getattr(cls, "code", None)
        if isinstance(code, str) and code in CATALOGUE:
            return code
    return "error"


def _named(params: Mapping[str, str]) -> str:
    return ", ".join(f"{NAMES_RU[k]} {params[k]}" for k in NAMES_RU if k in params)


def _russian(error: PfdoError) -> str:
    code = known_code(error)
    params = {k: v for k, v in error.params.items() if k in NAMES_RU}
    sentence = SENTENCES_RU.get(code)
    if sentence is not None and params:
        try:
            return sentence.format_map({**params, "named": _named(params)})
        except KeyError:
            pass  # the error names less than the sentence needs
    if isinstance(error, InvalidInput) and error.fields:
        reasons = "; ".join(f"поле {field}: {reason}" for field, reason in error.fields)
        return f"{title(code)}: {reasons}"
    if params:
        return f"{title(code)}: {_named(params)} ({error})"
    return f"{title(code)}: {error}" if str(error) else title(code)


def detail(error: PfdoError, language: Language = "ru") -> str:
    """What `error` says, in `language`: the English text is the error's own message; the
    Russian names what the error names (see the module's docstring)."""
    if language == "en":
        return str(error) or title(known_code(error), "en")
    return _russian(error)


def language_of(environ: Mapping[str, str]) -> Language:
    """The language of a process's messages: Russian when the first of `LC_ALL`,
    `LC_MESSAGES` and `LANG` that is set names a Russian locale (`ru_RU.UTF-8`, `ru`),
    else English."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return "ru" if value.split(".")[0].split("_")[0].lower() == "ru" else "en"
    return "en"
