"""Failures the services decide on, in the domain's words.

A channel adapter translates its platform's errors into these at the port, so a
service decides "retry, record or refuse" without knowing which platform failed or how.
"""

from __future__ import annotations

from dataclasses import dataclass

from atende.domain.message import SendError


class SendFailed(Exception):
    """The channel did not take the message: `error` is what the failed message will show.

    `error.retryable` says whether another attempt may succeed; `retry_after_s` is how long the
    platform asked us to wait before it. `outcome_unknown`: the platform may have taken it (a timeout
    after the request left), so it must not be sent again without a person deciding.
    """

    def __init__(
        self, error: SendError, retry_after_s: float | None = None, *, outcome_unknown: bool = False
    ) -> None:
        super().__init__(f"send failed ({error.code}, HTTP {error.http_status}): {error.message}")
        self.error = error
        self.retry_after_s = retry_after_s
        self.outcome_unknown = outcome_unknown

    @property
    def transient(self) -> bool:
        return self.error.retryable and not self.outcome_unknown


class MissingCredentials(Exception):
    """No access token for the account: nothing can be sent or downloaded until it is configured."""

    def __init__(
        self, channel: str, account_id: str, variable: str | None = None, *, refused: bool = False
    ) -> None:
        self.channel, self.account_id, self.variable = channel, account_id, variable
        # refused: the configuration names a variable that is not a channel token (never read, never sent)
        self.refused = refused
        if refused:
            where = f" ({variable} is not a channel token name)"
        else:
            where = f" (set {variable})" if variable else ""
        super().__init__(f"no access token for {channel} account {account_id}{where}")


@dataclass(eq=False)  # not frozen: Python sets __traceback__ on the exceptions it raises
class MediaFailed(Exception):
    """A message's media could not be fetched; `reason` is meant for the agent (pt-BR where ours)."""

    transient: bool
    reason: str

    def __str__(self) -> str:
        return self.reason


class MediaTooLarge(Exception):
    """The file is past the platform's limit for its kind; nothing was kept."""


class WorkflowRefused(Exception):
    """A person asked for a move that the conversation's state, or their role, does not allow.

    `reason` is shown to them as is (pt-BR); `forbidden` separates "not yours to touch" (403) from
    "not possible now" (409), since the inbox shows the two differently.
    """

    def __init__(self, reason: str, *, forbidden: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.forbidden = forbidden
