"""A team (`teams/{id}`): its name and its service level, which the live board and reports hold it to.

Team ids are the routing policy's (`config/routing` `teams`, `default_team`) and the users' claims'; the
four the product ships with are always there, an admin may add more.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

BUILTIN_TEAMS = ("support", "billing", "sales", "retention")
TeamId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{1,31}$")]
WEEK_S = 7 * 24 * 3600


class ServiceLevel(BaseModel):
    """How soon a person must answer a conversation handed to the team, and resolve it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    firstResponseS: int = Field(ge=10, le=WEEK_S)
    resolutionS: int | None = Field(default=None, ge=60, le=4 * WEEK_S)

    @model_validator(mode="after")
    def _resolution_after_first_response(self) -> ServiceLevel:
        if self.resolutionS is not None and self.resolutionS < self.firstResponseS:
            raise ValueError("resolutionS is shorter than firstResponseS")
        return self


class Team(BaseModel):
    """The document's fields; `updatedAt`/`updatedBy` (written with each change) are not the team's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=60)
    serviceLevel: ServiceLevel | None = None

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Team:
        """A `teams/{id}` document as everything that reads it should (raises ValidationError)."""
        return cls.model_validate({k: v for k, v in doc.items() if k not in ("updatedAt", "updatedBy")})
