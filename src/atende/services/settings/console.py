"""Everything the console's settings pages call, behind one object the HTTP function is given."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from atende.services.settings.channels import ChannelSettings, SecretStore
from atende.services.settings.documents import SettingsDocuments, SettingsWriter
from atende.services.settings.flows import FlowSettings
from atende.services.settings.logs import LogReader, LogViews
from atende.services.settings.staff import Accounts, StaffSettings
from atende.services.settings.store import SettingsStore


@dataclass(frozen=True)
class Console:
    documents: SettingsDocuments
    flows: FlowSettings
    channels: ChannelSettings
    staff: StaffSettings
    logs: LogViews

    @classmethod
    def build(
        cls,
        store: SettingsStore,
        reader: LogReader,
        secrets: SecretStore,
        accounts: Accounts,
        clock: Callable[[], float] = time.time,
    ) -> Console:
        writer = SettingsWriter(store, clock)
        return cls(
            documents=SettingsDocuments(writer),
            flows=FlowSettings(writer),
            channels=ChannelSettings(writer, secrets),
            staff=StaffSettings(accounts),
            logs=LogViews(reader),
        )
