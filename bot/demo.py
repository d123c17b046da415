"""``liaison-bot demo``: the real bot on a local fake Telegram, playing a scripted scenario.

No token, no network: the fake Bot API server runs on 127.0.0.1, the bot talks to it through
the same ``TELEGRAM_API_BASE_URL`` setting a real deployment would use, and the database is a
fresh SQLite file under the output directory. The chat is echoed as a transcript and saved to
``<output>/transcript.txt``; each feature extends the scenario with its own scenes.
"""

from __future__ import annotations

import logging
import shutil
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.app import create_app, running_application
from bot.config import Settings
from bot.deps import Deps
from bot.fakes.telegram import FakeTelegram, FakeTelegramServer, FakeUser, TranscriptEvent
from storage.migrate import upgrade_database
from storage.models import AssignmentRole, Transport, UnitCategory
from storage.repo_people import add_person, assign_liaison, link_identity
from storage.repo_units import add_unit, create_campaign

DEMO_TOKEN = "1000001:demo-token-not-a-secret"
OFFICE_ADMIN_ID = 9001


@dataclass(frozen=True)
class DemoPerson:
    telegram_id: int
    name: str
    unit: str | None  # the unit they are liaison for, if any


UNITS = (
    ("永川区卫生健康委员会", "区卫生健康委", UnitCategory.DEPARTMENT),
    ("永川区教育委员会", "区教委", UnitCategory.DEPARTMENT),
    ("永川区总工会", "区总工会", UnitCategory.MASS_ORGANISATION),
    ("卫星湖街道办事处", "卫星湖街道", UnitCategory.TOWNSHIP),
)
LIAISONS = (
    DemoPerson(1001, "王芳", "永川区卫生健康委员会"),
    DemoPerson(1002, "李强", "永川区教育委员会"),
)
OFFICE = DemoPerson(OFFICE_ADMIN_ID, "陈静", None)
STRANGER = DemoPerson(1003, "赵敏", None)


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
            label = {"edit": "机器人（修改）", "photo": "机器人［图片］"}.get(event.kind, "机器人")
            body = textwrap.indent(event.text, "      ").lstrip()
            self._emit(f"  {label} → {who}：{body}")
        else:
            mark = {"photo": "［照片］", "document": "［文件］", "button": "［按钮］"}
            self._emit(f"{event.sender}：{mark.get(event.kind, '')}{event.text}")

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
        )
        deps = Deps.from_settings(settings)
        upgrade_database(deps.db.engine)
        _seed(deps)
        users = {
            p.telegram_id: world.user(p.telegram_id, p.name) for p in (*LIAISONS, OFFICE, STRANGER)
        }
        transcript.names.update({uid: user.first_name for uid, user in users.items()})
        async with running_application(create_app(settings, deps=deps)):
            await _play(world, users, transcript)
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


def _seed(deps: Deps) -> None:
    """The office's starting point: a campaign, its member units, two registered liaisons."""
    now = deps.clock.now()
    with deps.db.session() as session:
        campaign = create_campaign(
            session=session, name="永川区创建健康区", office_name="永川区创建健康区工作小组办公室"
        )
        assert campaign.id is not None
        unit_ids = {}
        for order, (full_name, short_name, category) in enumerate(UNITS):
            unit = add_unit(
                session=session,
                campaign_id=campaign.id,
                full_name=full_name,
                short_name=short_name,
                category=category,
                sort_order=order,
            )
            unit_ids[full_name] = unit.id
        for liaison in LIAISONS:
            person = add_person(session=session, name=liaison.name)
            assert person.id is not None
            assert liaison.unit is not None
            link_identity(
                session=session,
                person_id=person.id,
                transport=Transport.TELEGRAM,
                external_id=str(liaison.telegram_id),
                chat_id=str(liaison.telegram_id),
            )
            unit_id = unit_ids[liaison.unit]
            assert unit_id is not None
            assign_liaison(
                session=session,
                unit_id=unit_id,
                person_id=person.id,
                role=AssignmentRole.MAIN,
                valid_from=now,
            )


async def _play(world: FakeTelegram, users: dict[int, FakeUser], transcript: Transcript) -> None:
    stranger, office = users[STRANGER.telegram_id], users[OFFICE.telegram_id]
    wang, li = (users[p.telegram_id] for p in LIAISONS)

    transcript.scene("未登记的人打开机器人")
    await world.say(stranger, "/start")
    await world.say(stranger, "请问怎么报送？")

    transcript.scene("联络员查看自己负责的单位")
    await world.say(wang, "/start")
    await world.say(wang, "/help")

    transcript.scene("联络员输错命令、随手发文字")
    await world.say(li, "/baosong")
    await world.say(li, "本月工作已完成")

    transcript.scene("创建办管理员")
    await world.say(office, "/start")
    await world.say(office, "/help")
