"""Which Meta failures are worth retrying, per platform: the one table to read and to extend.

Decisions are taken on `error.code`, never on titles. A code not listed is
permanent unless Meta answered 429/5xx, so a new policy error never becomes a
retry storm; a failure to connect is transient (nothing left); a timeout or a
connection lost after the request left is neither: its outcome is unknown.
Each rule carries what an agent is shown (pt-BR) when the message ends up failed.

Sources: WhatsApp Cloud API error codes, Graph API error handling, Messenger
Send API reference (see docs/ and the platform facts sheet).
"""

from __future__ import annotations

from dataclasses import dataclass

from atende.channels.meta.graph import GraphError
from atende.domain.errors import MissingCredentials, SendFailed
from atende.domain.message import UNKNOWN_OUTCOME_TEXT, SendError


@dataclass(frozen=True)
class ErrorRule:
    retry: bool
    meaning: str  # for operators and logs
    agent_text: str  # shown on the failed message (pt-BR)


_RETRY_LATER = "Instabilidade temporária na Meta; tentaremos novamente"
_RATE = "Limite de envio atingido; tentaremos novamente em instantes"
_TOKEN = "Token de acesso inválido ou expirado: verifique a configuração do canal"
_POLICY = "Conta bloqueada por violação de política da Meta"
_PERMISSION = "Permissão ausente para enviar por este canal: verifique o app na Meta"
_NO_TOKEN = "Canal sem token de acesso configurado: verifique a configuração do canal"
_REFUSED_TOKEN = (
    "Canal com token_env não permitido ({variable}): use WHATSAPP_TOKEN, MESSENGER_PAGE_TOKEN ou "
    "INSTAGRAM_TOKEN, com ou sem sufixo (ex.: WHATSAPP_TOKEN_SUPORTE)"
)

# Graph-wide codes, the same on every platform.
GRAPH: dict[int, ErrorRule] = {
    1: ErrorRule(True, "unknown error, temporary", _RETRY_LATER),
    2: ErrorRule(True, "service temporarily unavailable", _RETRY_LATER),
    4: ErrorRule(True, "app rate limit", _RATE),
    17: ErrorRule(True, "user rate limit", _RATE),
    32: ErrorRule(True, "page-level rate limit", _RATE),
    613: ErrorRule(True, "rate limit exceeded", _RATE),
    10: ErrorRule(False, "permission denied", _PERMISSION),
    100: ErrorRule(False, "invalid parameter", "Mensagem inválida para a plataforma"),
    102: ErrorRule(False, "session expired", _TOKEN),
    190: ErrorRule(False, "access token expired or invalid", _TOKEN),
    368: ErrorRule(False, "blocked for policy violations", _POLICY),
}
# 200-299 are all permission errors (checked by range in `rule`).
_PERMISSION_RULE = ErrorRule(False, "permission error (200-299)", _PERMISSION)

WHATSAPP: dict[int, ErrorRule] = {
    **GRAPH,
    80007: ErrorRule(True, "WABA rate limit", _RATE),
    130429: ErrorRule(True, "throughput exceeded", _RATE),
    131000: ErrorRule(True, "something went wrong", _RETRY_LATER),
    131016: ErrorRule(True, "service unavailable", _RETRY_LATER),
    131056: ErrorRule(True, "pair rate limit (same recipient)", _RATE),
    131057: ErrorRule(True, "account in maintenance (throughput upgrade)", _RETRY_LATER),
    131026: ErrorRule(
        False, "message undeliverable", "Mensagem não entregue: o número pode não ter WhatsApp"
    ),
    131031: ErrorRule(False, "account locked", _POLICY),
    131047: ErrorRule(
        False, "outside the 24-hour window", "Fora da janela de 24 horas: envie um modelo aprovado"
    ),
    131048: ErrorRule(False, "spam rate limit", "Envio limitado pela Meta por qualidade (spam)"),
    131049: ErrorRule(
        False, "per-user marketing limit", "Limite de mensagens de marketing para este cliente"
    ),
    131051: ErrorRule(False, "unsupported message type", "Tipo de mensagem não suportado"),
    132000: ErrorRule(False, "template parameter count mismatch", "Modelo: número de parâmetros incorreto"),
    132001: ErrorRule(False, "template missing or not approved", "Modelo inexistente ou não aprovado"),
    132005: ErrorRule(False, "template text too long", "Modelo: texto longo demais"),
    132007: ErrorRule(False, "template policy violation", "Modelo viola a política da Meta"),
    132012: ErrorRule(False, "template parameter format", "Modelo: formato de parâmetro inválido"),
    132015: ErrorRule(False, "template paused", "Modelo pausado pela Meta"),
    132016: ErrorRule(False, "template disabled", "Modelo desativado pela Meta"),
}

MESSENGER: dict[int, ErrorRule] = {
    **GRAPH,
    551: ErrorRule(
        False, "person unavailable (blocked the Page or left)", "Cliente indisponível no Messenger"
    ),
    1545041: ErrorRule(False, "recipient unavailable", "Cliente indisponível no Messenger"),
    2018278: ErrorRule(False, "outside the allowed window", "Fora da janela de 24 horas"),
    2018108: ErrorRule(False, "recipient cannot be messaged", "Cliente indisponível no Messenger"),
    2022: ErrorRule(True, "messaging temporarily unavailable", _RETRY_LATER),
}

INSTAGRAM: dict[int, ErrorRule] = {
    **MESSENGER,
    2534022: ErrorRule(False, "outside the allowed window", "Fora da janela de 24 horas"),
    2534014: ErrorRule(False, "user not found", "Cliente indisponível no Instagram"),
}

TABLES: dict[str, dict[int, ErrorRule]] = {
    "whatsapp": WHATSAPP,
    "messenger": MESSENGER,
    "instagram": INSTAGRAM,
}


def rule(channel: str, error: GraphError) -> ErrorRule:
    table = TABLES.get(channel, GRAPH)
    if error.code is not None:
        if error.code in table:
            return table[error.code]
        if 200 <= error.code <= 299:
            return _PERMISSION_RULE
    # Unknown or missing code: only a network failure, 429 or 5xx is worth another try.
    transient = error.http_status is None or error.http_status == 429 or error.http_status >= 500
    meaning = f"unknown code {error.code}" if error.code is not None else "network or server error"
    return ErrorRule(transient, meaning, _RETRY_LATER if transient else "Falha no envio pela Meta")


OUTCOME_UNKNOWN = "outcome_unknown"


def send_failed(channel: str, error: GraphError) -> SendFailed:
    """What the outbound service is told: retry or not, and what the agent reads."""
    if error.ambiguous:  # Meta may have it: never retried blindly
        unknown = SendError(
            message=error.message, source="platform", code=OUTCOME_UNKNOWN, agent_text=UNKNOWN_OUTCOME_TEXT
        )
        return SendFailed(unknown, outcome_unknown=True)
    decided = rule(channel, error)
    failure = SendError(
        message=error.message,
        source="platform",
        retryable=decided.retry,
        code=error.code,
        details=error.details,
        http_status=error.http_status,
        agent_text=decided.agent_text,
    )
    return SendFailed(failure, retry_after_s=error.retry_after_s)


def no_token_text(missing: MissingCredentials) -> str:
    if missing.refused:
        return _REFUSED_TOKEN.format(variable=missing.variable)
    return f"{_NO_TOKEN} ({missing.variable})" if missing.variable else _NO_TOKEN


def no_credentials(missing: MissingCredentials) -> SendFailed:
    """Nothing was sent: no retry can help until an operator sets the token."""
    failure = SendError(
        message=str(missing), source="atende", code="missing_token", agent_text=no_token_text(missing)
    )
    return SendFailed(failure)
