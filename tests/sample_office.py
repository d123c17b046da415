"""A district office's year so far, for the office-document tests and the README's pictures.

Thirteen member units of 永川区's 健康促进区 campaign report from January to September 2026,
better month by month (two units late or silent early in the year, fewer later); four tasks
get a status each month; September (due 09-30, made on 10-12) has on-time, late, silent,
no-liaison, 本月无新进展 and newly joined units, photos with and without captions, and a
document sent without a caption. Everything is fixed: no randomness, no dependence on today.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from PIL import Image, ImageDraw
from sqlmodel import col, select

from bot.clock import ManualClock
from bot.deps import Deps
from storage.migrate import upgrade_database
from storage.models import (
    Campaign,
    Evidence,
    EvidenceKind,
    MemberUnit,
    Responsibility,
    Task,
    TaskStatus,
    TaskUnit,
)
from storage.repo_units import create_campaign
from tests.e2e.seed import backdate_units, seed_liaison, seed_report, seed_units
from tests.e2e.test_schedule import moment

PERIOD = "2026-09"
MADE_AT = "2026-10-12 09:30"  # after September's due day (09-30) and the 国庆 holidays
UNITS = (
    "区委宣传部",
    "区发展改革委",
    "区教委",
    "区卫生健康委",
    "区民政局",
    "区财政局",
    "区生态环境局",
    "区市场监管局",
    "区文旅委",
    "区体育局",
    "团区委",
    "区妇联",
)
NO_LIAISON = "区总工会"
JOINED_IN_SEPTEMBER = "胜利路街道"
# Who was late (L) or silent (-) in each month before September; everyone else on time.
HISTORY = {
    1: {"区文旅委": "-", "区财政局": "L", "区妇联": "L", "区体育局": "-"},
    2: {"区文旅委": "-", "区财政局": "L", "区体育局": "L"},
    3: {"区文旅委": "L", "区妇联": "-", "区体育局": "L"},
    4: {"区文旅委": "-", "区财政局": "L"},
    5: {"区文旅委": "L", "区体育局": "L"},
    6: {"区文旅委": "-"},
    7: {"区财政局": "L"},
    8: {"区文旅委": "L"},
}
TASKS = (
    ("1.1", "一、健康环境", "建设健康步道2条、健康主题公园1个", "区体育局"),
    ("1.2", "一、健康环境", "全区室内公共场所全面禁烟", "区市场监管局"),
    ("2.1", "二、健康教育", "中小学健康教育课开课率达到100%", "区教委"),
    ("2.2", "二、健康教育", "每季度开展健康素养巡讲", "区卫生健康委"),
)
# Month by month, the statuses of the four tasks (in TASKS order).
TASK_HISTORY = {
    1: ("behind", "on_track", "on_track", "on_track"),
    2: ("behind", "stalled", "on_track", "ahead"),
    3: ("behind", "on_track", "on_track", "ahead"),
    4: ("on_track", "on_track", "ahead", "on_track"),
    5: ("on_track", "behind", "ahead", "on_track"),
    6: ("on_track", "on_track", "done", "on_track"),
    7: ("ahead", "on_track", "done", "ahead"),
    8: ("ahead", "on_track", "done", "done"),
    9: ("behind", "on_track", "done", "done"),
}
REASONS = {"behind": "征地手续未完成", "stalled": "经费未到位"}


@dataclass(frozen=True, slots=True)
class Place:
    """Who the campaign is (Campaign fields set by the office)."""

    name: str = "创建国家健康促进区"
    kind: str = "健康促进区"
    region: str = "永川区"
    region_word: str = "区"
    office_name: str = "永川区健康促进区创建办"


def photo(shade: int, size: tuple[int, int] = (1600, 1200)) -> bytes:
    """A photo-like picture (sky, ground, a few figures), distinct for each ``shade``."""
    width, height = size
    image = Image.new("RGB", size, (120 + shade * 9 % 100, 170, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height * 2 // 3, width, height), fill=(90, 140 + shade * 13 % 80, 70))
    for n in range(5):
        x = 200 + n * 280 + shade * 17 % 90
        draw.ellipse((x, height // 2 - 60, x + 90, height // 2 + 30), fill=(230, 190, 160))
        draw.rectangle((x - 10, height // 2 + 30, x + 100, height * 5 // 6),
                       fill=(40 + 40 * n, 60, 150 - 20 * n))  # fmt: skip
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def seed_office(deps: Deps, place: Place = Place()) -> None:
    """The campaign, its units and liaisons, tasks, and reports January–September 2026."""
    upgrade_database(deps.db.engine)
    deps.clock = ManualClock(moment("2025-12-01 09:00"))
    with deps.db.session() as session:
        campaign = create_campaign(session=session, name=place.name,
                                   office_name=place.office_name)  # fmt: skip
        campaign.kind, campaign.region = place.kind, place.region
        campaign.region_word = place.region_word
        session.add(campaign)
    for number, unit in enumerate(UNITS):
        seed_liaison(deps, telegram_id=2000 + number, name=f"联络员{number + 1}",
                     unit_names=[unit])  # fmt: skip
    seed_units(deps, NO_LIAISON)
    with deps.db.session() as session:
        for order, member in enumerate(
            session.exec(select(MemberUnit).order_by(col(MemberUnit.id)))
        ):
            member.sort_order = order
            session.add(member)
    backdate_units(deps, moment("2025-12-01 09:00"))
    _seed_tasks(deps)
    for month in range(1, 9):
        _seed_month(deps, month)
    _seed_september(deps)
    deps.clock = ManualClock(moment(MADE_AT))


def _seed_tasks(deps: Deps) -> None:
    with deps.db.session() as session:
        campaign = session.exec(select(Campaign)).one()
        units = {u.full_name: u.id or 0 for u in session.exec(select(MemberUnit))}
        for order, (code, category, content, lead) in enumerate(TASKS):
            task = Task(campaign_id=campaign.id or 0, code=code, category_path=[category],
                        content=content, deadline_raw="2026年底", sort_order=order)  # fmt: skip
            session.add(task)
            session.flush()
            session.add(TaskUnit(task_id=task.id or 0, unit_id=units[lead],
                                 role=Responsibility.LEAD))  # fmt: skip


def _statuses(month: int, unit: str) -> tuple[tuple[str, TaskStatus, str], ...]:
    return tuple(
        (code, TaskStatus(status), REASONS.get(status, ""))
        for (code, _, _, lead), status in zip(TASKS, TASK_HISTORY[month], strict=True)
        if lead == unit
    )


def _seed_month(deps: Deps, month: int) -> None:
    period = f"2026-{month:02d}"
    for number, unit in enumerate(UNITS):
        mark = HISTORY[month].get(unit, "")
        if mark == "-":
            continue
        day = datetime(2026, month, 20 + number % 6, 10, tzinfo=moment("2026-01-01 00:00").tzinfo)
        if mark == "L":
            day = day.replace(day=1) + timedelta(days=40)
        seed_report(deps, unit_name=unit, period=period, submitted_at=day,
                    workdays_late=3 if mark == "L" else 0,
                    work_done=f"{month}月开展健康知识宣传活动。",
                    task_statuses=_statuses(month, unit))  # fmt: skip


SEPTEMBER = {
    "区委宣传部": (
        "9月在融媒体中心开设“健康永川”专栏，刊发健康科普稿件 12 篇。",
        "",
        "10月制作控烟公益广告",
    ),
    "区发展改革委": ("将健康促进区建设项目纳入 2027 年重点项目储备库。", "", ""),
    "区教委": (
        "9月组织全区中小学开展“开学第一课”健康教育活动，覆盖学生 3.2 万人。\n"
        "完成健康促进学校自评 18 所。",
        "部分农村学校缺少专职健康教育教师",
        "10月开展健康促进学校现场评估",
    ),
    "区卫生健康委": (
        "9月5日在卫星湖街道开展高血压义诊，120 人参加。\n9月12日举办健康素养巡讲 2 场。",
        "宣传经费不足",
        "10月开展控烟宣传周活动",
    ),
    "区财政局": ("拨付健康促进专项经费 50 万元。", "", ""),
    "区生态环境局": ("完成城区饮用水源地水质监测 4 次，均达标。", "", ""),
    "区市场监管局": (
        "检查餐饮单位控烟情况 86 家，责令整改 5 家。",
        "个别网吧仍有吸烟现象",
        "开展控烟联合执法",
    ),
    "区体育局": ("健康步道选址完成，正在办理用地手续。", "", "推进健康步道开工建设"),
    "团区委": ("组织青年志愿者开展健康宣传 3 次。", "", ""),
    "区妇联": ("开展“健康家庭”评选，推荐 20 户。", "", ""),
}


def _seed_september(deps: Deps) -> None:
    shanghai = moment("2026-01-01 00:00").tzinfo
    late = {"区文旅委": None, "区妇联": 2}  # 文旅委 silent; 妇联 two workdays late
    for number, unit in enumerate(UNITS):
        if unit == "区民政局":
            seed_report(deps, unit_name=unit, period=PERIOD, no_progress=True,
                        submitted_at=datetime(2026, 9, 28, 9, tzinfo=shanghai))  # fmt: skip
            continue
        if unit in late and late[unit] is None:
            continue
        work, problems, plan = SEPTEMBER[unit]
        day = datetime(2026, 9, 22 + number % 7, 10, tzinfo=shanghai)
        if unit in late:
            day = datetime(2026, 10, 9, 16, tzinfo=shanghai)
        photos: tuple[tuple[bytes, str], ...] = ()
        if unit == "区卫生健康委":
            photos = (
                (photo(1), "9月5日·卫星湖街道·高血压义诊"),
                (photo(2), "9月12日·健康素养巡讲"),
                (photo(3), "第三张"),
            )
        elif unit == "区教委":
            photos = ((photo(4), ""),)
        elif unit == "团区委":
            photos = ((photo(5), "9月20日·青年志愿者健康宣传"), (photo(6), "志愿者合影"))
        seed_report(deps, unit_name=unit, period=PERIOD, submitted_at=day,
                    workdays_late=late.get(unit) or 0, work_done=work, problems=problems,
                    next_plan=plan, photos=photos,
                    task_statuses=_statuses(9, unit))  # fmt: skip
    with deps.db.session() as session:  # a document sent without a caption
        health = session.exec(
            select(MemberUnit).where(MemberUnit.full_name == "区卫生健康委")
        ).one()
        stored = deps.files.put_bytes(b"%PDF-1.4 minutes of the meeting")
        session.add(Evidence(unit_id=health.id or 0, period=PERIOD, sha256=stored.sha256,
                             kind=EvidenceKind.DOCUMENT, file_name="会议纪要.pdf",
                             mime_type="application/pdf", size=stored.size, caption="",
                             received_at=datetime(2026, 9, 25, 11, tzinfo=shanghai)))  # fmt: skip
    deps.clock = ManualClock(moment("2026-09-25 09:00"))  # after September's prompt
    [joined] = seed_units(deps, JOINED_IN_SEPTEMBER)
    with deps.db.session() as session:
        newcomer = session.get(MemberUnit, joined)
        assert newcomer is not None
        newcomer.created_at, newcomer.sort_order = moment("2026-09-25 09:00"), 99
        session.add(newcomer)
