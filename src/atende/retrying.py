"""The one retry policy: bounded attempts, exponential backoff with full jitter, Retry-After honoured.

Used for sends to a channel, media downloads and guarded Firestore writes, so
every retry in Atende has the same shape and the same knobs. Jitter keeps
callers that failed together from retrying together; the cap keeps a retry from
holding a function instance for long; the sleep is injectable so tests never wait.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backoff:
    max_attempts: int = 4
    base_delay_s: float = 0.5  # the first pause is at most this; each later one doubles it
    max_delay_s: float = 8.0  # no pause is longer, whatever the server asks

    def retrying(
        self,
        retry_on: Callable[[BaseException], bool],
        *,
        sleep: Callable[[float], None] = time.sleep,
        label: str = "call",
        log_level: int = logging.WARNING,  # DEBUG where a retry is routine (a guarded write under contention)
    ) -> Retrying:
        """A tenacity `Retrying`: call it with the function, or iterate it; the last error is re-raised.

        After it ends, `.statistics["attempt_number"]` is how many attempts were made.
        """
        exponential = wait_random_exponential(multiplier=self.base_delay_s, max=self.max_delay_s)
        return Retrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=_retry_after_or(exponential, self.max_delay_s),
            retry=retry_if_exception(retry_on),
            sleep=sleep,
            before_sleep=lambda state: _log_retry(label, log_level, state),
            reraise=True,
        )


def _retry_after_or(
    fallback: Callable[[RetryCallState], float], cap_s: float
) -> Callable[[RetryCallState], float]:
    """The server's `retry_after_s` when the error carries one (capped), else the fallback wait."""

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        asked = getattr(error, "retry_after_s", None)
        return min(float(asked), cap_s) if asked is not None else fallback(state)

    return wait


def _log_retry(label: str, level: int, state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    pause = state.next_action.sleep if state.next_action else 0.0
    log.log(level, "%s: %s; attempt %d failed, retrying in %.2fs", label, error, state.attempt_number, pause)
