"""Why the console's server refused a change, in words an admin reads as they are (pt-BR)."""

from __future__ import annotations

from pydantic import ValidationError


class SettingRefused(ValueError):
    """The value is well formed but the functions could not use it (422): out of range, unknown key,
    a flow step pointing nowhere. `reason` names the place; `fields`, for a form, each faulty field's."""

    def __init__(self, reason: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fields = fields or {}


class NotFound(LookupError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_WHY = {
    "extra_forbidden": "campo desconhecido",
    "missing": "obrigatório",
    "less_than_equal": "acima do máximo",
    "less_than": "acima do máximo",
    "greater_than_equal": "abaixo do mínimo",
    "greater_than": "abaixo do mínimo",
    "string_pattern_mismatch": "formato inválido",
    "string_too_long": "longo demais",
    "string_too_short": "curto demais",
    "too_long": "itens demais",
    "too_short": "itens de menos",
    "literal_error": "valor não permitido",
    "enum": "valor não permitido",
    "float_type": "deve ser um número",
    "int_type": "deve ser um número inteiro",
    "int_parsing": "deve ser um número inteiro",
    "float_parsing": "deve ser um número",
    "bool_type": "deve ser verdadeiro ou falso",
    "string_type": "deve ser um texto",
    "dict_type": "deve ser um objeto",
    "list_type": "deve ser uma lista",
    "date_from_datetime_parsing": "data inválida (use AAAA-MM-DD)",
    "date_parsing": "data inválida (use AAAA-MM-DD)",
    "union_tag_invalid": "tipo desconhecido",
}


def describe(error: ValidationError, limit: int = 5) -> str:
    """`campo: motivo` for the first few problems; our own validators' texts are kept as written."""
    problems = []
    for e in error.errors()[:limit]:
        where = ".".join(str(p) for p in e["loc"]) or "documento"
        why = _WHY.get(e["type"]) or e["msg"].removeprefix("Value error, ")
        if e["type"] in ("less_than_equal", "less_than"):
            why += f" ({e['ctx'].get('le', e['ctx'].get('lt'))})"
        elif e["type"] in ("greater_than_equal", "greater_than"):
            why += f" ({e['ctx'].get('ge', e['ctx'].get('gt'))})"
        problems.append(f"{where}: {why}")
    return "; ".join(problems)


def refused(error: ValidationError, what: str) -> SettingRefused:
    return SettingRefused(f"{what} recusado(a): {describe(error)}")


class AlreadyExists(ValueError):
    """Creating what is already there (409): the admin meant to edit it, or picked a taken id."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
