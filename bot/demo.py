"""``liaison-bot demo``: the real bot on a local fake Telegram, playing a scripted scenario.

No token, no network: the fake Bot API server runs on 127.0.0.1, the bot talks to it through
the same ``TELEGRAM_API_BASE_URL`` setting a real deployment would use, and the database is a
fresh SQLite file under the output directory. The chat is echoed as a transcript and saved to
``<output>/transcript.txt``; each feature extends the scenario with its own scenes.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bot.app import create_app, running_application
from bot.clock import NOW_VARIABLE, ManualClock, SystemClock
from bot.config import Settings
from bot.deps import Deps
from bot.domain.calendar_admin import campaign_rule, load_calendar
from bot.domain.outbox import month_slots
from bot.domain.periods import YearMonth
from bot.domain.reminders import Step
from bot.fakes.telegram import (
    FakeTelegram,
    FakeTelegramServer,
    FakeUser,
    SentMessage,
    TranscriptEvent,
)
from bot.scheduler import Dispatcher
from storage.migrate import upgrade_database

DEMO_TOKEN = "1000001:demo-token-not-a-secret"
# The scenario's own calendar, whatever day it is played: the office starts on a Monday in
# September 2026, the liaisons report before the due day (09-30, just before 国庆), and
# October's prompts and reminders then skip the holidays. Time runs on from here.
DEMO_START = "2026-09-14T10:00:00+08:00"
DEMO_PERIOD = YearMonth(2026, 9)
DEMO_DATA = Path(__file__).parent / "demo_data"  # the files an office would already have
OFFICE_ADMIN_ID = 9001


@dataclass(frozen=True)
class DemoPerson:
    telegram_id: int
    name: str
    unit: str | None  # the unit they are liaison for, if any


WANG = DemoPerson(1001, "王芳", "区卫生健康委")
LI = DemoPerson(1002, "李强", "区教委")
ZHOU = DemoPerson(1004, "周磊", "区教委")
OFFICE = DemoPerson(OFFICE_ADMIN_ID, "陈静", None)
STRANGER = DemoPerson(1003, "赵敏", None)
PEOPLE = (WANG, LI, ZHOU, OFFICE, STRANGER)
LINK = re.compile(r"\?start=([A-Za-z0-9_-]+)")


class Transcript:
    """Formats chat events as a readable conversation, echoing and keeping every line."""

    def __init__(self, echo: Callable[[str], None]) -> None:
        self.echo = echo
        self.lines: list[str] = []
        self.names: dict[int, str] = {}

    def scene(self, title: str) -> None:
        self._emit(f"\n── {title} " + "─" * max(4, 60 - len(title) * 2))

    def __call__(self, event: TranscriptEvent) -> None:
        who = self.names.get(event.chat_id, str(event.chat_id))
        if event.sender == "bot":
            if event.kind == "edit" and not event.text:
                self._emit(f"  机器人 → {who}：（收起了按钮）")
                return
            label = {"edit": "机器人（修改）", "photo": "机器人［图片］"}.get(event.kind, "机器人")
            body = textwrap.indent(event.text, "      ").lstrip()
            self._emit(f"  {label} → {who}：{body}")
        else:
            mark = {
                "photo": "［照片］",
                "document": "［文件］",
                "button": "［按钮］",
                "contact": "［分享联系人］",
            }
            self._emit(f"{event.sender}：{mark.get(event.kind, '')}{event.text}")

    def note(self, text: str) -> None:
        self._emit(f"  ⏱ {text}")

    def _emit(self, line: str) -> None:
        self.lines.append(line)
        self.echo(line)


async def run_demo(output: Path, *, echo: Callable[[str], None]) -> Path:
    """Play the scenario; return the path of the saved transcript."""
    data_dir = output / "data"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    _log_to(output / "bot.log")
    transcript = Transcript(echo)
    world = FakeTelegram(token=DEMO_TOKEN, on_event=transcript)
    async with FakeTelegramServer(world, long_poll_cap=0.1) as server:
        settings = Settings(
            _env_file=None,
            telegram_bot_token=DEMO_TOKEN,
            telegram_api_base_url=server.api_base_url,
            telegram_file_base_url=server.file_base_url,
            database_url=f"sqlite:///{data_dir / 'demo.db'}",
            data_dir=data_dir,
            office_admin_ids=(OFFICE_ADMIN_ID,),
            reminder_tick_seconds=0,  # the scenario moves the clock and ticks itself
        )
        deps = Deps.from_settings(settings, clock=SystemClock({NOW_VARIABLE: DEMO_START}))
        upgrade_database(deps.db.engine)
        users = {p.telegram_id: world.user(p.telegram_id, p.name) for p in PEOPLE}
        transcript.names.update({uid: user.first_name for uid, user in users.items()})
        async with running_application(create_app(settings, deps=deps)) as application:
            await _play(world, users, transcript)
            dispatcher = application.bot_data.dispatcher
            assert dispatcher is not None
            await _simulate_month(world, users, transcript, dispatcher)
            await _office_files(world, users, transcript, output)
    path = output / "transcript.txt"
    path.write_text("\n".join(transcript.lines).lstrip() + "\n", encoding="utf-8")
    return path


def _log_to(path: Path) -> None:
    """Keep the bot's log out of the transcript: warnings and errors go to ``bot.log``."""
    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)


async def _import(world: FakeTelegram, office: FakeUser, name: str) -> None:
    """Send a shipped file as the office would, then confirm after reading the check."""
    since = len(world.messages_to(office.id))
    data = (DEMO_DATA / name).read_bytes()
    world.send_document(office, data, file_name=name, mime_type="text/csv")
    [check] = await world.wait_for_messages(office.id, since=since)
    world.press_button(office, check, text=check.button_texts[0])  # 确认导入
    await world.wait_for_messages(office.id, since=since + 1)


async def _tap(
    world: FakeTelegram, user: FakeUser, message: SentMessage, button: int
) -> SentMessage:
    since = len(world.messages_to(user.id))
    world.press_button(user, message, text=message.button_texts[button])
    [reply] = await world.wait_for_messages(user.id, since=since)
    return reply


async def _report(world: FakeTelegram, user: FakeUser) -> None:
    """A liaison's month, as typed on a phone: two messages of work, one problem, a plan."""
    await world.say(user, "/report")
    await world.say(user, "9月5日在卫星湖社区开展高血压免费筛查，120名居民参加。")
    [ack] = await world.say(user, "9月12日为辖区学校举办控烟讲座1场，学生300人。")
    step = await _tap(world, user, ack, 0)  # 完成 → the unit's tasks: one summary, then pages
    if step.text.startswith("任务进度"):
        step = await _tap(world, user, step, step.button_texts.index("逐项修改"))
        line = next((t for t in step.text.splitlines() if "宣传" in t and t[:1].isdigit()), "")
        if line:  # one task is behind: its number, 滞后, the reason
            asked = await _tap(world, user, step, step.button_texts.index(line.split(".")[0]))
            await _tap(world, user, asked, asked.button_texts.index("滞后"))
            [step] = await world.say(user, "宣传栏更新经费待落实")
        if "任务进度" in step.text:  # the rest as planned (the page's last button)
            step = await _tap(world, user, step, len(step.button_texts) - 1)
    [coordination] = await world.say(user, "部分社区宣传栏老旧")
    await _tap(world, user, coordination, 0)  # 跳过 → 下月计划
    [photos] = await world.say(user, "10月开展全民健康生活方式月宣传")
    since = len(world.messages_to(user.id))
    world.send_album(
        user, [demo_picture(n) for n in range(3)], caption="9月5日·卫星湖社区·高血压筛查"
    )
    await world.wait_for_messages(user.id, since=since)  # one acknowledgement for the album
    review = await _tap(world, user, photos, 0)  # 完成
    await _tap(world, user, review, 0)  # 提交


async def _review_round(world: FakeTelegram, office: FakeUser, liaison: FakeUser) -> None:
    """The office sends 王芳's report back with a comment; she adds a line and resubmits; the
    office approves the revised version."""
    [queue] = await world.say(office, "/review")
    first = next(label for label in queue.button_texts if label.startswith(WANG.unit or ""))
    opened = await _open_for_review(world, office, queue, queue.button_texts.index(first))
    await _tap(world, office, opened, opened.button_texts.index("↩️ 退回补充"))
    since = len(world.messages_to(liaison.id))
    await world.say(office, "请补充义诊的参加人数和宣传栏更新的时间安排")
    [returned] = await world.wait_for_messages(liaison.id, since=since)
    review = await _tap(world, liaison, returned, 0)  # 修改报告: the report, as written
    sections = await _tap(world, liaison, review, review.button_texts.index("✏️ 修改"))
    await _tap(world, liaison, sections, sections.button_texts.index("本月完成工作（追加）"))
    [ack] = await world.say(liaison, "补充：义诊共120人参加；宣传栏12月10日前更新完毕。")
    revised = await _tap(world, liaison, ack, 0)  # 完成 → back to the review
    await _tap(world, liaison, revised, revised.button_texts.index("📨 提交"))
    since = len(world.messages_to(liaison.id))
    for _ in range(2):  # the revised report, and 区教委's 本月无新进展
        [queue] = await world.say(office, "/review")
        opened = await _open_for_review(world, office, queue, 0)
        await _tap(world, office, opened, opened.button_texts.index("✅ 通过"))
    await world.wait_for_messages(liaison.id, since=since)  # her approval


async def _open_for_review(
    world: FakeTelegram, office: FakeUser, queue: SentMessage, button: int
) -> SentMessage:
    """Open a queued report: its photos come first, then the text with the decision buttons."""
    since = len(world.messages_to(office.id))
    world.press_button(office, queue, text=queue.button_texts[button])

    def decided() -> bool:
        return any(m.buttons for m in world.messages_to(office.id)[since:])

    await world.wait_until(decided)
    return next(m for m in world.messages_to(office.id)[since:] if m.buttons)


def demo_picture(shade: int) -> bytes:
    """A small JPEG standing in for a phone photo."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (640, 480), (40 + 60 * shade, 140, 90)).save(out, format="JPEG")
    return out.getvalue()


async def _invite(world: FakeTelegram, office: FakeUser, unit: str) -> str:
    """The office admin asks for a registration link; return the code in it."""
    [reply] = await world.say(office, f"/invite {unit}")
    found = LINK.search(reply.text)
    assert found is not None, reply.text
    return found.group(1)


async def _play(world: FakeTelegram, users: dict[int, FakeUser], transcript: Transcript) -> None:
    stranger, office = users[STRANGER.telegram_id], users[OFFICE.telegram_id]
    wang, li, zhou = users[WANG.telegram_id], users[LI.telegram_id], users[ZHOU.telegram_id]

    transcript.scene("未登记的人打开机器人")
    await world.say(stranger, "/start")
    await world.say(stranger, "/start 随便输入的码")

    transcript.scene("创建办管理员导入成员单位和责任分工（发送原有的表格文件）")
    await world.say(office, "/start")
    for name in ("成员单位.csv", "责任分工.csv"):
        await _import(world, office, name)

    transcript.scene("创建办管理员生成登记链接（私下发给各单位联络员）")
    wang_code = await _invite(world, office, "区卫生健康委")
    li_code = await _invite(world, office, "区教委")

    transcript.scene("联络员点开链接登记：分享手机号")
    await world.say(wang, f"/start {wang_code}")
    await world.say(wang, "王芳")
    since = len(world.messages_to(wang.id))
    world.send_contact(wang, "+86 139 1234 5678")
    await world.wait_for_messages(wang.id, since=since)

    transcript.scene("联络员点开链接登记：不提供手机号")
    await world.say(li, f"/start {li_code}")
    await world.say(li, "李强")
    await world.say(li, "跳过")

    transcript.scene("更换联络员：新联络员登记，创建办确认")
    zhou_code = await _invite(world, office, "区教委")
    await world.say(zhou, f"/start {zhou_code}")
    await world.say(zhou, "周磊")
    seen = {user.id: len(world.messages_to(user.id)) for user in (office, li, zhou)}
    await world.say(zhou, "13700001111")
    [request] = await world.wait_for_messages(office.id, since=seen[office.id])
    world.press_button(office, request, text=request.button_texts[0])  # 同意更换
    await world.wait_for_messages(li.id, since=seen[li.id])
    await world.wait_for_messages(zhou.id, since=seen[zhou.id] + 1)

    transcript.scene("联络员查看自己的登记信息")
    await world.say(wang, "/whoami")
    await world.say(li, "/whoami")
    await world.say(wang, "/baosong")
    await world.say(wang, "本月工作已完成")

    transcript.scene("联络员报送本月工作进展")
    await _report(world, wang)
    [ask] = await world.say(zhou, "/report")
    await _tap(world, zhou, ask, 1)  # 本月无新进展
    await world.say(zhou, "/status")

    transcript.scene("创建办审核：退回补充，联络员修改后重新提交，审核通过")
    await _review_round(world, office, wang)

    transcript.scene("创建办查看联络员名册（手机号只在这里出现）")
    await world.say(office, "/units")
    await world.say(office, "/help")


STEP_NAMES = {
    Step.PROMPT: "月末报送提示（截止前5个工作日）",
    Step.BEFORE: "截止前3个工作日",
    Step.EVE: "截止前1个工作日",
    Step.DUE: "截止日",
    Step.OVERDUE: "截止后第1个工作日",
    Step.DIGEST: "截止后第3个工作日：创建办汇总",
}


async def _simulate_month(
    world: FakeTelegram, users: dict[int, FakeUser], transcript: Transcript, dispatcher: Dispatcher
) -> None:
    """Next month on a fast clock: the prompt to every unit with a liaison, reminders only to
    the unit that has not reported, and the office digest — each sent once, on workdays."""
    deps = dispatcher.deps
    tz = deps.settings.tz
    period = DEMO_PERIOD.next()
    with deps.db.session() as session:
        _, slots = month_slots(
            period, campaign_rule(session=session), load_calendar(session=session), tz
        )
    transcript.scene(f"快进到 {period}：月末提示、截止提醒、创建办汇总（只提醒未报送的单位）")
    zhou = users[ZHOU.telegram_id]
    for slot in slots:  # the clock stays at the digest: the office's month-end follows
        deps.clock = ManualClock(slot.at + timedelta(minutes=1))
        transcript.note(f"{slot.at:%Y-%m-%d %H:%M} {STEP_NAMES[slot.step]}")
        since = len(world.messages_to(zhou.id))
        await dispatcher.tick()
        if slot.step == Step.PROMPT:  # 周磊 answers from the prompt; 王芳 does not
            [prompt] = [m for m in world.messages_to(zhou.id)[since:] if m.buttons]
            world.press_button(zhou, prompt, text=prompt.button_texts[-1])  # 本月无新进展
            await world.wait_for_messages(zhou.id, since=since + 1)


async def _office_files(
    world: FakeTelegram, users: dict[int, FakeUser], transcript: Transcript, output: Path
) -> None:
    """The clerk's month-end for the month the scenario narrated: /summary, then the three
    files, saved where the demo writes."""
    transcript.scene(f"创建办汇总 {DEMO_PERIOD}：/summary 和三个文件（保存在输出目录）")
    office = users[OFFICE.telegram_id]
    [summary] = await world.say(office, f"/summary {DEMO_PERIOD}")
    for label in summary.button_texts:
        since = len(world.messages_to(office.id))
        world.press_button(office, summary, text=label)

        def arrived(since: int = since) -> bool:
            return any(m.kind == "document" for m in world.messages_to(office.id)[since:])

        await world.wait_until(arrived, timeout=30)
        for message in world.messages_to(office.id)[since:]:
            if message.kind == "document":
                document = message.raw["document"]
                target = output / str(document["file_name"])
                target.write_bytes(world.file_bytes(str(document["file_id"])))
                transcript.note(f"已保存 {target}")
