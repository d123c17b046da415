"""The evaluation archive in the console: the year's ZIP and 指标完成情况表 on the downloads
page (the files /archive makes), and an admin retagging a photo as /evidence … 指标 does."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import AsyncIterator
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from sqlmodel import col, select

from bot.archive.files import make_archive
from bot.archive.framework_import import import_framework
from bot.archive.scope import archive_of, tree_of
from storage.models import AuditEntry, Evidence, EvidenceKind, OfficeRole
from storage.repo_people import set_office_role
from tests.archive_files import chronic_docx, pdf
from tests.e2e.seed import seed_liaison
from tests.e2e.test_archive_chat import seed_campaign
from tests.e2e.test_schedule import moment
from tests.web.harness import ROOT, Web, jpeg, running_console, settings_for, submit

HEALTH = "区卫生健康委员会"
OVERVIEW = "2026/000 总目录.xlsx"


@pytest.fixture
async def site(make_settings: Any) -> AsyncIterator[Web]:
    """永川区's campaign with the 健康县区 framework; 区卫生健康委员会 reported October with two
    photos (filed by default under the indicator it is responsible for)."""
    async with running_console(settings_for(make_settings), moment("2026-11-23 10:00")) as web:
        seed_campaign(web.deps)
        submit(web, HEALTH, "2026-10", "2026-11-05 10:00",
               photos=((jpeg((200, 30, 30)), "10月20日 社区 义诊"),
                       (jpeg((30, 30, 200)), "健康讲座")))  # fmt: skip
        stored = web.deps.files.put_bytes(pdf(2))
        with web.deps.db.session() as session:
            session.add(Evidence(unit_id=3, period="2026-10", sha256=stored.sha256,
                                 kind=EvidenceKind.DOCUMENT, file_name="实施方案.pdf",
                                 mime_type="application/pdf", size=stored.size,
                                 received_at=moment("2026-11-05 10:00")))  # fmt: skip
        yield web


def photo_ids(site: Web) -> list[int]:
    with site.deps.db.session() as session:
        return [e.id for e in session.exec(select(Evidence).order_by(col(Evidence.id)))
                if e.id is not None]  # fmt: skip


def filed_under(site: Web, evidence_id: int) -> list[str]:
    """The folders the archive (as /archive makes it) puts the file in."""
    with site.deps.db.session() as session:
        archive = archive_of(site.deps, session=session, year=2026)
    items = archive.items
    return [PurePosixPath(i.path).parent.name for i in items if i.evidence_id == evidence_id]


def item_id(site: Web, code: str) -> int:
    with site.deps.db.session() as session:
        [node] = tree_of(session=session).by_code(code)
    return node.id


def audits(site: Web, action: str) -> list[AuditEntry]:
    with site.deps.db.session() as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)))


async def test_staff_download_the_years_archive_as_archive_makes_it(site: Web) -> None:
    await site.log_in(site.office_person(2002, "周敏", OfficeRole.STAFF))
    page = await site.page("/downloads")
    assert "评估档案 2026（ZIP）" in page and "指标完成情况表 2026（Excel）" in page
    assert f'href="{ROOT}/archive/2026/zip"' in page and "?framework=" not in page

    response = await site.client.get(f"{ROOT}/archive/2026/zip")
    assert response.status == 200 and response.content_type == "application/zip"
    named = response.headers["Content-Disposition"]
    fallback, utf8 = re.fullmatch(r'attachment; filename="([ -~]+)"; filename\*=UTF-8\'\'(\S+)',
                                  named).groups()  # type: ignore[union-attr]  # fmt: skip
    assert fallback.endswith(".zip") and unquote(utf8) == "2026年度台账.zip"
    assert response.headers["Cache-Control"] == "no-store"
    data = await response.read()
    assert int(response.headers["Content-Length"]) == len(data)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert OVERVIEW in names and "2026/000 指标完成情况表.xlsx" in names
    photos = [name for name in names if name.endswith(".jpg")]
    assert "2026/001 完善健康政策/001 纳入县区发展规划/0001 10月20日 社区 义诊.jpg" in photos
    # The very files of /archive and `liaison-bot archive`: the same entries, in the same order.
    made = make_archive(site.deps, year=2026, max_bytes=2**62)
    assert zipfile.ZipFile(io.BytesIO(made.files[0].data)).namelist() == names

    table = await site.client.get(f"{ROOT}/archive/2026/xlsx")
    assert table.status == 200 and "spreadsheetml" in table.content_type
    assert "filename*=UTF-8''2026" in table.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(await table.read()))
    assert book.worksheets[0].max_row > 1

    for wrong in ("/archive/1999/zip", "/archive/2026/pdf", "/archive/26/zip",
                  "/archive/²²²²/zip", "/archive/2026/zip?framework=99"):  # fmt: skip
        await site.page(wrong, status=404)


async def test_an_archive_per_framework_when_the_campaign_has_several(site: Web) -> None:
    with site.deps.db.session() as session:
        import_framework(session=session, file_name="考评表.docx", data=chronic_docx())
    await site.log_in(site.office_person(2001, "陈静", OfficeRole.ADMIN))
    page = await site.page("/downloads")
    ids = re.findall(rf'href="{ROOT}/archive/2026/zip\?framework=(\d+)"', page)
    assert len(ids) == 1 and page.count("评估档案 2026（ZIP）") == 2  # the last: no name needed
    other = await site.client.get(f"{ROOT}/archive/2026/zip?framework={ids[0]}")
    assert other.status == 200
    name = unquote(other.headers["Content-Disposition"].split("UTF-8''")[1])
    assert name.startswith("2026年度台账_健康县区评估细则") and name.endswith(".zip")
    default = await site.client.get(f"{ROOT}/archive/2026/zip")
    assert unquote(default.headers["Content-Disposition"]).endswith("''2026年度台账.zip")
    assert await other.read() != await default.read()


async def test_no_archive_for_anyone_outside_the_office(site: Web) -> None:
    await site.page("/archive/2026/zip", status=401)  # no session: the page that explains /web
    clerk = site.office_person(2002, "周敏", OfficeRole.STAFF)
    await site.log_in(clerk)
    assert clerk.person_id is not None
    with site.deps.db.session() as session:  # now a liaison's colleague, no longer office
        set_office_role(session=session, person_id=clerk.person_id, role=None,
                        by_person_id=None, at=site.clock.now())  # fmt: skip
    assert "只对创建办工作人员开放" in await site.page("/archive/2026/zip", status=403)
    await site.page("/archive/2026/xlsx", status=403)


async def test_without_a_framework_the_downloads_page_says_so(make_settings: Any) -> None:
    async with running_console(settings_for(make_settings), moment("2026-10-12 10:00")) as web:
        seed_liaison(web.deps, telegram_id=1001, name="王芳", unit_names=["区卫生健康委"])
        submit(web, "区卫生健康委", "2026-09", "2026-09-25 10:00",
               photos=((jpeg((9, 9, 9)), "义诊"),))  # fmt: skip
        await web.log_in(web.office_person(2002, "周敏", OfficeRole.STAFF))
        page = await web.page("/downloads")
        assert "还没有导入指标体系" in page and "liaison-bot framework import" in page
        assert "/archive/2026/" not in page
        response = await web.client.get(f"{ROOT}/archive/2026/zip", allow_redirects=False)
        assert response.status == 303 and response.headers["Location"] == f"{ROOT}/downloads"
        unit_page = await web.page("/unit/1")
        assert "义诊" in unit_page and "归档指标" not in unit_page


async def test_an_admin_retags_a_photo_as_evidence_does_in_chat(site: Web) -> None:
    admin = site.office_person(2001, "陈静", OfficeRole.ADMIN)
    await site.log_in(admin)
    first, second, _ = photo_ids(site)
    before = filed_under(site, first)  # by default: the indicators 区卫健委 is responsible for
    assert len(before) == 4 and not any("全民健身" in folder for folder in before)

    unit_page = await site.page("/unit/3")
    assert "归档指标：1 纳入县区发展规划；2 制定健康县区实施方案；2.3 健康社区建设" in unit_page
    link = f"{ROOT}/evidence/{first}?back=/console/unit/3"
    assert link in unit_page.replace("%2F", "/")
    form = await site.page(f"/evidence/{first}?back={ROOT}/unit/3")
    boxes = re.findall(r'name="item" value="(\d+)"( checked)?', form)
    fitness, plan = item_id(site, "2.5"), item_id(site, "2")
    assert (str(plan), " checked") in boxes and (str(fitness), "") in boxes
    # The unit's own indicators first (as chat's buttons), then the rest of the framework.
    assert form.index("本单位的指标") < form.index("其他指标")
    assert form.index(f'value="{plan}"') < form.index("其他指标") < form.index(f'value="{fitness}"')

    csrf = await site.csrf()
    done = await site.post(f"/evidence/{first}/tags",
                           [("csrf", csrf), ("item", str(fitness)), ("item", str(plan)),
                            ("back", f"{ROOT}/unit/3")])  # fmt: skip
    assert done.status == 303
    assert done.headers["Location"].startswith(f"{ROOT}/unit/3?done=retagged")
    assert done.headers["Location"].endswith(f"#e{first}")
    assert filed_under(site, first) == ["002 制定健康县区实施方案", "003 2.5 全民健身"]
    assert filed_under(site, second) == before  # the other photo is left alone
    [entry] = audits(site, "evidence_retagged")
    assert entry.actor_person_id == admin.person_id
    assert entry.details == {"evidence": str(first), "detail": "2,2.5"}
    assert entry.unit_id == 3
    shown = await site.page(f"/unit/3?done=retagged&unit={HEALTH}")
    assert "已修改区卫生健康委员会这份材料的归档指标" in shown
    assert "2 制定健康县区实施方案；2.5 全民健身" in shown

    # None ticked: the photo is filed under 未归类, as /evidence #号 指标 无 does.
    await site.post(f"/evidence/{first}/tags", {"csrf": csrf})
    assert filed_under(site, first) == ["999 未归类"]
    for wrong in ("999999", "²", "2.5"):
        refused = await site.post(f"/evidence/{first}/tags", {"csrf": csrf, "item": wrong})
        assert refused.status == 400 and filed_under(site, first) == ["999 未归类"], wrong
    await site.page(f"/evidence/{first + 99}", status=404)


async def test_retagging_follows_chat_staff_may_and_a_former_clerk_may_not(site: Web) -> None:
    """Chat lets every office user retag (/evidence, the 指标 buttons); the web form too. A
    person whose office role was withdrawn sees no form and is refused."""
    clerk = site.office_person(2002, "周敏", OfficeRole.STAFF)
    await site.log_in(clerk)
    first, second, document = photo_ids(site)
    before = filed_under(site, second)
    unit_page = await site.page("/unit/3")
    assert f'<li id="e{document}"><a href="{ROOT}/file/' in unit_page
    assert "实施方案.pdf" in await site.page(f"/evidence/{document}")
    assert "归档指标：1 纳入县区发展规划；" in unit_page and "改指标" in unit_page
    csrf = await site.csrf()
    fitness = item_id(site, "2.5")
    done = await site.post(f"/evidence/{first}/tags", {"csrf": csrf, "item": str(fitness)})
    assert done.status == 303 and filed_under(site, first) == ["003 2.5 全民健身"]
    assert [entry.actor_person_id for entry in audits(site, "evidence_retagged")] == [
        clerk.person_id
    ]

    assert clerk.person_id is not None
    with site.deps.db.session() as session:  # no longer office
        set_office_role(session=session, person_id=clerk.person_id, role=None,
                        by_person_id=None, at=site.clock.now())  # fmt: skip
    refused = await site.post(f"/evidence/{second}/tags", {"csrf": csrf, "item": str(fitness)})
    assert refused.status == 403
    assert filed_under(site, second) == before and len(audits(site, "evidence_retagged")) == 1


async def test_retagging_needs_the_sessions_csrf_token(site: Web) -> None:
    await site.log_in(site.office_person(2001, "陈静", OfficeRole.ADMIN))
    first, _, _ = photo_ids(site)
    before = filed_under(site, first)
    fitness = str(item_id(site, "2.5"))
    for data in ({"item": fitness}, {"item": fitness, "csrf": "0" * 64}):
        refused = await site.post(f"/evidence/{first}/tags", data)
        assert refused.status == 403, data
    assert filed_under(site, first) == before and not audits(site, "evidence_retagged")


async def test_the_archive_pages_in_english(make_settings: Any) -> None:
    settings = settings_for(make_settings, language="en")
    async with running_console(settings, moment("2026-11-23 10:00")) as web:
        seed_campaign(web.deps)
        submit(web, HEALTH, "2026-10", "2026-11-05 10:00", photos=((jpeg((9, 9, 9)), "x"),))
        await web.log_in(web.office_person(2001, "Chen", OfficeRole.ADMIN))
        [photo] = photo_ids(web)
        assert "Evaluation archive 2026 (ZIP)" in await web.page("/downloads")
        assert "Filed under: 1 纳入县区发展规划; " in await web.page("/unit/3")
        page = await web.page(f"/evidence/{photo}")
        assert "The unit's indicators" in page and 'lang="en"' in page
