"""An admin edits a follow-up rule in the console, in headless Chromium against the running stack: the
payment reminder's delay and text are saved as an override of config/followups, still there after a
reload, and "restore default" brings the repo's rule back (screenshots in artifacts/)."""

from __future__ import annotations

import pytest

from atende.dev.polling import wait_until
from tests.browser.staff_pages import shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.integration]
RULE = "Pagamento pendente"
TEXT = "Oi, {{ contact.first_name }}! Seu pagamento de R$ {{ amount }} ainda está pendente. Posso ajudar?"
PT_DEFAULT = f"{RULE} · Padrão (todos os perfis) · Português"


def test_an_admin_changes_a_rule_s_delay_and_text_and_sees_them_after_reload(
    stack, firestore_db, browser, staff, inbox_built
):
    admin = staff("admin", ["support"], name="Alice Admin")
    page = sign_in(browser, stack, admin)
    followups = firestore_db.collection("config").document("followups")
    followups.delete()
    try:
        page.goto(f"{stack.inbox_url}/console/settings/followups")
        card = page.get_by_role("region", name=RULE)
        card.get_by_label("Prazo (horas)").wait_for(timeout=15_000)
        assert card.get_by_label("Prazo (horas)").input_value() == "12"
        card.get_by_label("Prazo (horas)").fill("6")
        card.get_by_label(PT_DEFAULT).fill(TEXT)
        page.get_by_role("button", name="Salvar regras").click()
        saved = wait_until(
            lambda: (followups.get().to_dict() or {}).get("rules", {}).get("followup_pagamento"),
            what="the rule's override saved",
        )
        assert saved == {
            "delay_hours": 6,
            "messages": {"default": {"pt": TEXT, "en": saved["messages"]["default"]["en"]}},
        }
        assert set((followups.get().to_dict() or {}).get("rules")) == {
            "followup_pagamento"
        }  # only what changed

        page.reload()
        card = page.get_by_role("region", name=RULE)
        card.get_by_label("Prazo (horas)").wait_for(timeout=15_000)
        assert card.get_by_label("Prazo (horas)").input_value() == "6"
        assert card.get_by_label(PT_DEFAULT).input_value() == TEXT
        card.get_by_text("alterada").wait_for()
        card.scroll_into_view_if_needed()
        shot(page, "settings-followups-changed", prefix="console")

        card.get_by_role("button", name="Restaurar padrão").click()
        wait_until(
            lambda: "followup_pagamento" not in ((followups.get().to_dict() or {}).get("rules") or {}),
            what="the rule restored",
        )
        wait_until(
            lambda: card.get_by_label("Prazo (horas)").input_value() == "12", what="the default delay shown"
        )
        page.evaluate("window.scrollTo(0, 0)")
        shot(page, "settings-followups", prefix="console")
    finally:
        followups.delete()
