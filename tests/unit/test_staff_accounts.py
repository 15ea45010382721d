"""Staff accounts: claims and the users document agree, and every change of access revokes tokens."""

from __future__ import annotations

import pytest

from atende.users.accounts import StaffAccounts, UserError
from tests.fakes import FakeAuthAccounts, FakeStaffDirectory


@pytest.fixture
def auth() -> FakeAuthAccounts:
    return FakeAuthAccounts()


@pytest.fixture
def accounts(auth) -> StaffAccounts:
    return StaffAccounts(auth, FakeStaffDirectory())


def test_a_new_agent_has_claims_and_starts_away_with_nothing_open(accounts, auth):
    p = accounts.create(" Ana@Atende.dev ", "segredo", "Ana", "agent", ["support", "support", "billing"], 3)
    assert auth.claims[p.uid] == {"role": "agent", "teams": ["support", "billing"]}
    assert (p.email, p.availability, p.open_count, p.disabled) == ("ana@atende.dev", "away", 0, False)


@pytest.mark.parametrize(
    ("email", "password", "role", "teams", "message"),
    [
        ("ana@atende.dev", "12345", "agent", ["support"], "too weak"),
        ("ana", "segredo", "agent", ["support"], "not an e-mail"),
        ("ana@atende.dev", "segredo", "owner", ["support"], "unknown role"),
        ("ana@atende.dev", "segredo", "agent", ["suporte"], "unknown team"),
    ],
)
def test_invalid_accounts_are_refused_before_anything_is_created(
    accounts, auth, email, password, role, teams, message
):
    with pytest.raises(UserError, match=message):
        accounts.create(email, password, "Ana", role, teams, 3)
    assert auth.by_email == {}


def test_the_same_email_twice_is_refused(accounts):
    accounts.create("ana@atende.dev", "segredo", "Ana", "agent", ["support"], 3)
    with pytest.raises(UserError, match="already exists"):
        accounts.create("ANA@atende.dev", "segredo", "Ana 2", "admin", [], 3)


def test_role_team_and_access_changes_update_both_and_revoke_tokens(accounts, auth):
    uid = accounts.create("ana@atende.dev", "segredo", "Ana", "agent", ["support"], 3).uid
    assert accounts.set_role("ana@atende.dev", "supervisor").role == "supervisor"
    assert accounts.set_teams("ana@atende.dev", ["billing"]).teams == ("billing",)
    assert auth.claims[uid] == {"role": "supervisor", "teams": ["billing"]}
    assert accounts.disable("ana@atende.dev").disabled and uid in auth.disabled
    assert auth.revoked == [uid, uid, uid]
    with pytest.raises(UserError, match="no user"):
        accounts.set_role("nobody@atende.dev", "agent")
