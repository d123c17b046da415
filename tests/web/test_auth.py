"""Every rule of the console's login, over HTTP: links, cookies, CSRF, roles, revocation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from bot.domain import web_access
from bot.domain.people import Requester
from storage.models import AuditEntry, OfficeRole, WebLoginLink, WebSession
from storage.repo_people import set_office_role
from tests.e2e.seed import seed_liaison
from tests.web.harness import ROOT, Web, running_console, settings_for


@pytest.fixture
async def site(make_settings: Any) -> AsyncIterator[Web]:
    async with running_console(settings_for(make_settings)) as harness:
        seed_liaison(harness.deps, telegram_id=1001, name="王芳", unit_names=["区卫生健康委"])
        yield harness


@pytest.fixture
async def https_site(make_settings: Any) -> AsyncIterator[Web]:
    settings = settings_for(make_settings, web_base_url="https://bot.example.org/console")
    async with running_console(settings) as harness:
        seed_liaison(harness.deps, telegram_id=1001, name="王芳", unit_names=["区卫生健康委"])
        yield harness


def audit(site: Web) -> list[str]:
    with site.deps.db.session() as session:
        rows = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
        return [row.action for row in rows]


async def test_without_a_cookie_every_page_explains_how_to_log_in(site: Web) -> None:
    for path in ("/matrix", "/review", "/unit/1", "/tasks", "/downloads", "/download/2026-08/xlsx",
                 "/thumb/" + "a" * 64, "/sessions"):  # fmt: skip
        text = await site.page(path, status=401)
        assert "/web" in text and "请先登录" in text, path
    response = await site.post("/review/batch", {"which": "no_progress"})
    assert response.status == 401


async def test_a_link_logs_in_once_with_a_strict_http_only_cookie(site: Web) -> None:
    clerk = site.office_person(2001, "陈静", OfficeRole.STAFF)
    token = site.link(clerk)

    # Opening the link (as a chat app's preview fetcher would) does not use it up.
    page = await site.page(f"/login/{token}")
    assert "进入创建办网页" in page and 'method="post"' in page
    assert "liaison_console" not in site.client.session.cookie_jar.filter_cookies(
        site.client.make_url("/")
    )

    response = await site.post("/login", {"token": token})
    assert response.status == 303 and response.headers["Location"] == f"{ROOT}/matrix"
    cookie = response.cookies["liaison_console"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and not cookie["secure"]
    assert cookie["path"] == ROOT and int(cookie["max-age"]) == 8 * 3600
    assert "报送情况" in await site.page("/matrix")

    # Stored hashed: neither token appears in the database.
    with site.deps.db.session() as session:
        stored = [row.token_sha256 for row in session.exec(select(WebLoginLink))]
        stored += [row.token_sha256 for row in session.exec(select(WebSession))]
    assert web_access.digest(token) in stored and token not in stored
    assert cookie.value not in stored and web_access.digest(cookie.value) in stored
    assert audit(site)[-2:] == ["web_link_issued", "web_login"]


async def test_a_reused_link_is_refused(site: Web) -> None:
    clerk = site.office_person(2001, "陈静", OfficeRole.STAFF)
    token = site.link(clerk)
    assert (await site.post("/login", {"token": token})).status == 303
    site.client.session.cookie_jar.clear()
    again = await site.post("/login", {"token": token})
    assert again.status == 403 and "已失效" in await again.text()
    assert "liaison_console" not in again.cookies
    assert "已失效" in await site.page(f"/login/{token}", status=403)


async def test_an_expired_link_is_refused(site: Web) -> None:
    clerk = site.office_person(2001, "陈静", OfficeRole.STAFF)
    token = site.link(clerk)
    site.clock.advance(timedelta(minutes=10))  # valid for 10 minutes: not at 10:00 sharp
    refused = await site.post("/login", {"token": token})
    assert refused.status == 403 and "liaison_console" not in refused.cookies


async def test_a_link_still_works_in_its_tenth_minute(site: Web) -> None:
    clerk = site.office_person(2001, "陈静", OfficeRole.STAFF)
    token = site.link(clerk)
    site.clock.advance(timedelta(minutes=9, seconds=59))
    assert (await site.post("/login", {"token": token})).status == 303


async def test_a_session_ends_after_eight_hours(site: Web) -> None:
    await site.log_in(site.office_person(2001, "陈静", OfficeRole.STAFF))
    site.clock.advance(timedelta(hours=7, minutes=59))
    await site.page("/matrix")
    site.clock.advance(timedelta(minutes=1))
    await site.page("/matrix", status=401)


async def test_a_liaison_gets_no_link_and_a_forged_one_opens_nothing(site: Web) -> None:
    with site.deps.db.session() as session:
        liaison = web_access.requester_of(session=session, person_id=1, bootstrap={},
                                          now=site.clock.now())  # fmt: skip
        assert liaison.is_liaison and not liaison.is_office
        assert web_access.issue_link(session=session, who=liaison, now=site.clock.now()) is None
        stranger = Requester(None, "陌生人", None)
        assert web_access.issue_link(session=session, who=stranger, now=site.clock.now()) is None
    # An office user who was a liaison's colleague logs in, then loses the office role:
    clerk = site.office_person(2001, "陈静", OfficeRole.STAFF)
    await site.log_in(clerk)
    with site.deps.db.session() as session:
        assert clerk.person_id is not None
        set_office_role(session=session, person_id=clerk.person_id, role=None, by_person_id=None,
                        at=site.clock.now())  # fmt: skip
    assert "只对创建办工作人员开放" in await site.page("/matrix", status=403)


async def test_forms_need_the_csrf_token_of_the_session(site: Web) -> None:
    admin = site.office_person(2001, "陈静", OfficeRole.ADMIN)
    await site.log_in(admin)
    csrf = await site.csrf()
    for data in ({"which": "no_progress"}, {"which": "no_progress", "csrf": "0" * 64}):
        refused = await site.post("/review/batch", data)
        assert refused.status == 403, data
    accepted = await site.post("/review/batch", {"which": "no_progress", "csrf": csrf})
    assert accepted.status == 303
    # Another site's form is refused even with a token (the browser names its origin).
    foreign = await site.client.post(
        f"{ROOT}/review/batch", data={"which": "no_progress", "csrf": csrf},
        headers={"Origin": "https://evil.example"}, allow_redirects=False,
    )  # fmt: skip
    assert foreign.status == 403
    same = await site.client.post(
        f"{ROOT}/review/batch", data={"which": "no_progress", "csrf": csrf},
        headers={"Origin": "http://console.test"}, allow_redirects=False,
    )  # fmt: skip
    assert same.status == 303


async def test_an_admin_revokes_every_session_of_a_person(site: Web) -> None:
    admin = site.office_person(2001, "陈静", OfficeRole.ADMIN)
    clerk = site.office_person(2002, "周敏", OfficeRole.STAFF)
    await site.log_in(clerk)
    clerk_cookies = site.client.session.cookie_jar.filter_cookies(site.client.make_url(ROOT))
    unused = site.link(clerk)
    site.client.session.cookie_jar.clear()

    await site.log_in(admin)
    page = await site.page("/sessions")
    assert "周敏" in page and "陈静" in page
    csrf = await site.csrf()
    assert clerk.person_id is not None
    done = await site.post("/sessions/revoke", {"csrf": csrf, "person_id": str(clerk.person_id)})
    assert done.status == 303 and "count=1" in done.headers["Location"]
    assert "web_sessions_revoked" in audit(site)

    site.client.session.cookie_jar.clear()
    site.client.session.cookie_jar.update_cookies(clerk_cookies)
    await site.page("/matrix", status=401)
    assert (await site.post("/login", {"token": unused})).status == 403  # links end too


async def test_staff_may_not_revoke_sessions(site: Web) -> None:
    clerk = site.office_person(2002, "周敏", OfficeRole.STAFF)
    await site.log_in(clerk)
    await site.page("/sessions", status=403)
    csrf = await site.csrf()
    refused = await site.post("/sessions/revoke", {"csrf": csrf, "person_id": "1"})
    assert refused.status == 403


async def test_logging_out_ends_this_browser_only(site: Web) -> None:
    clerk = site.office_person(2002, "周敏", OfficeRole.STAFF)
    await site.log_in(clerk)
    phone = site.client.session.cookie_jar.filter_cookies(site.client.make_url(ROOT))
    site.client.session.cookie_jar.clear()
    await site.log_in(clerk)
    csrf = await site.csrf()
    out = await site.post("/logout", {"csrf": csrf})
    assert out.status == 200 and "已退出" in await out.text()
    await site.page("/matrix", status=401)
    site.client.session.cookie_jar.update_cookies(phone)
    await site.page("/matrix")
    assert "web_logout" in audit(site)


async def test_failed_links_are_rate_limited_per_address(site: Web) -> None:
    clerk = site.office_person(2001, "陈静", OfficeRole.STAFF)
    for attempt in range(web_access.FAILURES_ALLOWED):
        refused = await site.post("/login", {"token": f"guess{attempt}"})
        assert refused.status == 403
    good = site.link(clerk)
    blocked = await site.post("/login", {"token": good})
    assert blocked.status == 429 and "10 分钟后再试" in await blocked.text()
    await site.page(f"/login/{good}", status=429)
    site.clock.advance(web_access.FAILURE_WINDOW + timedelta(seconds=1))
    good = site.link(clerk)
    assert (await site.post("/login", {"token": good})).status == 303


async def test_over_https_the_cookie_is_secure(https_site: Web) -> None:
    clerk = https_site.office_person(2001, "陈静", OfficeRole.STAFF)
    response = await https_site.post("/login", {"token": https_site.link(clerk)})
    assert response.status == 303 and response.cookies["liaison_console"]["secure"]


async def test_pages_carry_the_security_headers(site: Web) -> None:
    response = await site.client.get(f"{ROOT}/matrix")
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


async def test_behind_the_proxy_each_visitor_is_counted_apart(site: Web) -> None:
    clerk = site.office_person(2001, "陈静", OfficeRole.STAFF)
    for attempt in range(web_access.FAILURES_ALLOWED):
        await site.client.post(f"{ROOT}/login", data={"token": f"guess{attempt}"},
                               headers={"X-Forwarded-For": "6.6.6.6, 10.0.0.1"})  # fmt: skip
    blocked = await site.client.post(
        f"{ROOT}/login", data={"token": site.link(clerk)},
        headers={"X-Forwarded-For": "10.0.0.1"}, allow_redirects=False,
    )  # fmt: skip
    assert blocked.status == 429
    other = await site.client.post(
        f"{ROOT}/login", data={"token": site.link(clerk)},
        headers={"X-Forwarded-For": "10.0.0.2"}, allow_redirects=False,
    )  # fmt: skip
    assert other.status == 303
