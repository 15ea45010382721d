"""Pick the ERP from configuration: a REST ERP through its mapping file, or the demo ERP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from atende.config import Settings
from atende.erp.port import Erp


def erp_from_settings(settings: Settings, firestore_client: Callable[[], Any]) -> Erp:
    if settings.erp_mapping:
        from atende.erp.rest import RestErp, load_mapping

        return RestErp(load_mapping(settings.erp_mapping), settings.erp_base_url or None, settings.erp_token)
    from atende.adapters.firestore_demo_erp import FirestoreDemoState
    from atende.erp.demo import DemoErp

    return DemoErp(state=FirestoreDemoState(firestore_client()))
