"""The pages as a clerk uses them: the matrix agrees with the Excel, a unit's photos, the
review queue (one by one, in batches, sent back with a comment), downloads."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlmodel import col, select

from bot.domain.periods import YearMonth
from bot.exports.sheet_layout import FIRST_ROW
from bot.exports.workbook import FILLS, build_workbook
from bot.web.console import CONSOLE
from messages.render import LOCALES, TEMPLATE_ROOT
from storage.models import (
    AuditEntry,
    Evidence,
    EvidenceKind,
    MemberUnit,
    OfficeRole,
    ReviewAction,
    ReviewEvent,
    Task,
    TaskStatus,
)
from storage.repo_units import get_default_campaign
from tests.e2e.seed import backdate_units, seed_liaison, seed_units
from tests.e2e.test_schedule import moment
from tests.web.harness import ROOT, Web, jpeg, running_console, settings_for, submit

CELL = re.compile(r'<td class="s-(\w+)">([^<]*)</td>|<td>(—)</td>')
ROW = re.compile(r'<tr><td class="unit"><a href="/console/unit/(\d+)">([^<]+)</a></td>(.*?)</tr>')


@pytest.fixture
async def site(make_settings: Any) -> AsyncIterator[Web]:
    """September 2026 after its due date: 区卫生健康委 on time with photos and a task behind,
    区教委 late with 本月无新进展, 区民政局 missing, 区总工会 without a liaison."""
    async with running_console(settings_for(make_settings), moment("2026-09-01 10:00")) as web:
        seed_liaison(web.deps, telegram_id=1001, name="王芳", unit_names=["区卫生健康委"])
        seed_liaison(web.deps, telegram_id=1002, name="李强", unit_names=["区教委"])
        seed_liaison(web.deps, telegram_id=1003, name="赵敏", unit_names=["区民政局"])
        seed_units(web.deps, "区总工会")
        backdate_units(web.deps, moment("2026-01-01 00:00"))
        with web.deps.db.session() as session:
            campaign = get_default_campaign(session=session)
            assert campaign is not None and campaign.id is not None
            session.add(Task(campaign_id=campaign.id, code="1.1", content="建设健康步道",
                             deadline_raw="2026年底"))  # fmt: skip
        web.clock.set(moment("2026-10-12 10:00"))
        submit(web, "区卫生健康委", "2026-09", "2026-09-25 10:00",
               work_done="开展义诊一次，120人参加。", problems="经费不足",
               photos=((jpeg((200, 30, 30)), "9月20日 广场 义诊"), (jpeg((30, 30, 200)), "")),
               task_statuses=(("1.1", TaskStatus.BEHIND, "征地未完成"),))  # fmt: skip
        submit(web, "区教委", "2026-09", "2026-10-09 10:00", workdays_late=2, no_progress=True)
        yield web


def matrix_cells(page: str) -> dict[str, list[str]]:
    rows = {}
    for _, name, cells in ROW.findall(page):
        rows[name] = [label or dash for _, label, dash in CELL.findall(cells)]
    return rows


async def test_the_matrix_shows_what_the_excel_shows(site: Web) -> None:
    admin = site.office_person(2001, "陈静", OfficeRole.ADMIN)
    await site.log_in(admin)
    page = await site.page("/matrix?period=2026-09")
    with site.deps.db.session() as session:
        data = build_workbook(session=session, period=YearMonth(2026, 9), now=site.clock.now(),
                              tz=site.deps.settings.tz, renderer=site.deps.renderer)  # fmt: skip
    sheet = load_workbook(io.BytesIO(data))["报送情况"]
    excel = {
        str(row[0].value): [str(cell.value) for cell in row[1:10]]
        for row in sheet.iter_rows(min_row=FIRST_ROW)
        if row[0].value != "按时率"
    }
    assert matrix_cells(page) == excel
    assert excel["区卫生健康委"][8] == "按时" and excel["区民政局"][8] == "未报"
    # The same colours: each status cell's class is a FILLS key, and the stylesheet holds
    # exactly the Excel's colour for it.
    css = await (await site.client.get(f"{ROOT}/static/console.css")).text()
    for key, fill in FILLS.items():
        assert f".s-{key}{{background:#{fill}}}" in css
    assert 'class="s-no_progress">无新进展<' in page and 'class="s-missing">未报<' in page
    # Counts equal their lists, as in /summary.
    assert "应报 <b>4</b>" in page and "已报 <b>2</b>" in page and "未报：区民政局" in page
    assert "未登记联络员：区总工会" in page and "逾期：区教委（晚2个工作日）" in page


async def test_a_unit_page_shows_the_report_its_photos_and_liaisons(site: Web) -> None:
    staff = site.office_person(2002, "周敏", OfficeRole.STAFF)
    await site.log_in(staff)
    matrix = await site.page("/matrix?period=2026-09")
    [unit_id] = [uid for uid, name, _ in ROW.findall(matrix) if name == "区卫生健康委"]
    page = await site.page(f"/unit/{unit_id}")
    assert "开展义诊一次，120人参加。" in page and "经费不足" in page
    assert "建设健康步道" in page and "滞后" in page and "征地未完成" in page
    assert "9月20日 广场 义诊" in page and "未说明" in page
    assert "王芳" in page and "13912345678" not in page  # no phone for staff
    thumbs = re.findall(r'src="(/console/thumb/[0-9a-f]{64})"', page)
    assert len(thumbs) == 2
    for url in thumbs:
        response = await site.client.get(url)
        assert response.status == 200 and response.content_type == "image/jpeg"
        assert "immutable" in response.headers["Cache-Control"]
    assert site.thumbnails_made == 2
    await site.page(f"/unit/{unit_id}")
    for url in thumbs:  # a second view: read from the cache, never encoded again
        assert (await site.client.get(url)).status == 200
    assert site.thumbnails_made == 2
    full = await site.client.get(thumbs[0].replace("/thumb/", "/photo/"))
    assert full.status == 200 and full.content_type == "image/jpeg"
    assert len(await full.read()) > len(await (await site.client.get(thumbs[0])).read())


async def test_admins_see_liaisons_phones(site: Web) -> None:
    await site.log_in(site.office_person(2001, "陈静", OfficeRole.ADMIN))
    matrix = await site.page("/matrix?period=2026-09")
    [unit_id] = [uid for uid, name, _ in ROW.findall(matrix) if name == "区卫生健康委"]
    assert "13912345678" in await site.page(f"/unit/{unit_id}")


async def test_a_draft_photo_is_not_served(site: Web) -> None:
    await site.log_in(site.office_person(2001, "陈静", OfficeRole.ADMIN))
    stored = site.deps.files.put_bytes(jpeg((10, 200, 10)))
    with site.deps.db.session() as session:
        unit = session.exec(select(MemberUnit).where(MemberUnit.full_name == "区民政局")).one()
        assert unit.id is not None
        draft_photo = Evidence(
            unit_id=unit.id, period="2026-09", sha256=stored.sha256, kind=EvidenceKind.PHOTO,
            file_name="a.jpg", size=stored.size,
        )  # fmt: skip
        session.add(draft_photo)
    for kind in ("thumb", "photo", "file"):
        await site.page(f"/{kind}/{stored.sha256}", status=404)


async def test_review_in_batches_and_one_sent_back(site: Web) -> None:
    admin = site.office_person(2001, "陈静", OfficeRole.ADMIN)
    await site.log_in(admin)
    queue = await site.page("/review")
    assert "本月无新进展（1 份，2026-09）" in queue and "报告（1 份" in queue
    assert "开展义诊一次，120人参加。" in queue  # read in full on the queue page
    csrf = await site.csrf()

    done = await site.post("/review/batch", {"csrf": csrf, "which": "no_progress",
                                             "back": f"{ROOT}/review?page=1"})  # fmt: skip
    assert done.status == 303 and "approved=1" in done.headers["Location"]
    [health_id] = [int(i) for i in re.findall(r'name="id" value="(\d+)"', queue)]
    empty = await site.post(f"/review/{health_id}", {"csrf": csrf, "action": "return",
                                                     "comment": "  "})  # fmt: skip
    assert "review_comment_empty" in empty.headers["Location"]
    back = await site.post(f"/review/{health_id}", {"csrf": csrf, "action": "return",
                                                    "comment": "请补充义诊照片的说明"})  # fmt: skip
    assert back.status == 303 and "review_returned" in back.headers["Location"]
    again = await site.post(f"/review/{health_id}", {"csrf": csrf, "action": "approve"})
    assert "review_already_decided" in again.headers["Location"]
    assert "没有待审的报告" in await site.page("/review")

    with site.deps.db.session() as session:
        decisions = [(e.action, e.comment) for e in session.exec(
            select(ReviewEvent).order_by(col(ReviewEvent.id)))]  # fmt: skip
        audits = [a.action for a in session.exec(select(AuditEntry))]
    assert (ReviewAction.RETURNED, "请补充义诊照片的说明") in decisions
    assert decisions.count((ReviewAction.APPROVED, "")) == 1
    assert {"review_approved", "review_returned"} <= set(audits)
    await site.app[CONSOLE].drain()
    told = {(m.chat_id, m.text) for m in site.sent.messages}
    assert any(chat == "1002" and "审核通过" in text for chat, text in told)
    assert any(chat == "1001" and "请补充义诊照片的说明" in text for chat, text in told)


async def test_the_ticked_reports_are_approved_and_nothing_else(site: Web) -> None:
    await site.log_in(site.office_person(2001, "陈静", OfficeRole.ADMIN))
    queue = await site.page("/review")
    [health_id] = [int(i) for i in re.findall(r'name="id" value="(\d+)"', queue)]
    csrf = await site.csrf()
    none_ticked = await site.post("/review/batch", {"csrf": csrf, "which": "ticked"})
    assert "approved=0" in none_ticked.headers["Location"]
    ticked = await site.post("/review/batch", [("csrf", csrf), ("which", "ticked"),
                                               ("id", str(health_id))])  # fmt: skip
    assert "approved=1" in ticked.headers["Location"]
    queue = await site.page("/review")
    assert "本月无新进展（1 份，2026-09）" in queue and "报告（" not in queue


async def test_staff_may_review_as_in_chat(site: Web) -> None:
    """Chat lets every office user decide reports (bot.domain.access.REVIEW): so does the web."""
    await site.log_in(site.office_person(2002, "周敏", OfficeRole.STAFF))
    csrf = await site.csrf()
    done = await site.post("/review/batch", {"csrf": csrf, "which": "no_progress"})
    assert "approved=1" in done.headers["Location"]


async def test_tasks_indicators_and_downloads(site: Web) -> None:
    await site.log_in(site.office_person(2002, "周敏", OfficeRole.STAFF))
    behind = await site.page("/tasks?period=2026-09&only=behind")
    assert "建设健康步道" in behind and "征地未完成" in behind
    assert "共 1 项任务" in behind
    by_unit = await site.page("/tasks?period=2026-09&unit=区教委")
    assert "共 0 项任务" in by_unit
    # 最近确认 and the 3-month flag follow bot.domain.task_confirmation (1.1 has no lead unit:
    # 区卫生健康委's September status confirms it until November)
    assert "<th>最近确认</th>" in behind and "<td>2026-09</td>" in behind
    assert "共 0 项任务" in await site.page("/tasks?period=2026-11&only=stale")
    stale = await site.page("/tasks?period=2026-12&only=stale")
    assert "共 1 项任务" in stale and "2026-09 <b>3个月未确认</b>" in stale
    assert "还没有导入指标" in await site.page("/indicators?period=2026-09")
    listing = await site.page("/downloads?period=2026-09")
    assert "/console/download/2026-09/xlsx" in listing
    for kind, mime, magic in (
        ("xlsx", "spreadsheetml", b"PK"), ("docx", "wordprocessingml", b"PK"),
        ("zip", "application/zip", b"PK"),
    ):  # fmt: skip
        response = await site.client.get(f"{ROOT}/download/2026-09/{kind}")
        assert response.status == 200 and mime in response.content_type, kind
        assert "filename*=UTF-8''2026-09_" in response.headers["Content-Disposition"]
        assert (await response.read()).startswith(magic)
    await site.page("/download/2026-13/xlsx", status=404)
    await site.page("/matrix?period=九月", status=400)
    for odd in ("²", "١٢", "3" * 13):  # digits to str.isdigit, not to int() or a database id
        await site.page(f"/unit/{odd}", status=404)


def test_both_languages_have_every_page() -> None:
    names = {locale: sorted(p.name for p in (TEMPLATE_ROOT / locale / "web").glob("*.html"))
             for locale in LOCALES}  # fmt: skip
    assert names["en"] == names["zh-CN"] and "matrix.html" in names["en"]


async def test_every_page_renders_in_english(make_settings: Any) -> None:
    settings = settings_for(make_settings, language="en")
    async with running_console(settings, moment("2026-09-01 10:00")) as web:
        seed_liaison(web.deps, telegram_id=1001, name="王芳", unit_names=["区卫生健康委"])
        backdate_units(web.deps, moment("2026-01-01 00:00"))
        web.clock.set(moment("2026-10-12 10:00"))
        submission_id = submit(web, "区卫生健康委", "2026-09", "2026-09-25 10:00",
                               photos=((jpeg((9, 9, 9)), "caption"),))  # fmt: skip
        assert "No password needed" in await web.page("/matrix", status=401)
        await web.log_in(web.office_person(2001, "Chen", OfficeRole.ADMIN))
        expected = {
            "/matrix?period=2026-09": "On-time rate", "/unit/1": "Liaisons",
            f"/report/{submission_id}": "Work done this month", "/review": "Approve all 1",
            "/tasks": "All tasks", "/indicators": "No indicators imported yet",
            "/downloads": "Excel summary", "/sessions": "Chen", "/unit/99": "Page not found",
        }  # fmt: skip
        for path, words in expected.items():
            page = await web.page(path, status=404 if path == "/unit/99" else 200)
            assert words in page and 'lang="en"' in page, path
