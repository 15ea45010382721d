"""Everything the console's settings pages call, behind one object the HTTP function is given."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from atende.services.settings.channels import ChannelSettings, SecretStore
from atende.services.settings.documents import SettingsDocuments, SettingsWriter
from atende.services.settings.flows import FlowSettings
from atende.services.settings.logs import LogReader, LogViews
from atende.services.settings.sites import SiteSettings
from atende.services.settings.staff import Accounts, StaffSettings
from atende.services.settings.store import SettingsStore

if TYPE_CHECKING:
    from atende.domain.channels import ChannelConfig
    from atende.services.campaign_console import CampaignConsole
    from atende.services.dead_letter_console import DeadLetterConsole


@dataclass(frozen=True)
class Console:
    documents: SettingsDocuments
    flows: FlowSettings
    channels: ChannelSettings
    sites: SiteSettings
    staff: StaffSettings
    logs: LogViews
    campaigns: CampaignConsole | None = None  # campaigns and templates: supervisors too (docs/campaigns.md)
    dead_letters: DeadLetterConsole | None = None  # messages a consumer failed five times: list, replay

    @classmethod
    def build(
        cls,
        store: SettingsStore,
        reader: LogReader,
        secrets: SecretStore,
        accounts: Accounts,
        clock: Callable[[], float] = time.time,
        campaigns: CampaignConsole | None = None,
        dead_letters: DeadLetterConsole | None = None,
        deployed_channels: Callable[[], Sequence[ChannelConfig]] = tuple,
    ) -> Console:
        writer = SettingsWriter(store, clock)
        return cls(
            documents=SettingsDocuments(writer),
            flows=FlowSettings(writer),
            channels=ChannelSettings(writer, secrets, deployed_channels),
            sites=SiteSettings(writer, secrets),
            staff=StaffSettings(accounts),
            logs=LogViews(reader),
            campaigns=campaigns,
            dead_letters=dead_letters,
        )
