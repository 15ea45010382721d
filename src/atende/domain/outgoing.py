"""What every outgoing message must satisfy before it may be handed to a platform."""

from __future__ import annotations


class OutgoingRejected(ValueError):
    """The platform would refuse this message as built; `reason` is what the agent is shown (pt-BR)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def require(condition: object, reason: str) -> None:
    if not condition:
        raise OutgoingRejected(reason)


def within(value: str | None, limit: int, what: str) -> str:
    """`value` if present and at most `limit` characters, else the agent is told which field is wrong."""
    require(value, f"{what}: obrigatório")
    assert value is not None
    require(len(value) <= limit, f"{what}: no máximo {limit} caracteres (tem {len(value)})")
    return value
