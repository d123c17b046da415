"""Fuzz every text step of the report and registration flows: whatever a liaison types — empty,
huge, emoji, control characters, HTML, full-width digits — nothing crashes, the reply renders,
and nothing already saved is lost. (The import parsers are fuzzed in tests/unit.)"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from bot.domain import registration, reporting
from bot.domain.invites import issue_invites
from bot.domain.people import IdentityRef, Requester, UnitRef, identify
from bot.domain.periods import YearMonth
from messages.render import Renderer
from storage.db import Database
from storage.models import AssignmentRole, MemberUnit, ReportDraft, ReportStep, Transport
from storage.repo_people import add_person
from storage.repo_units import add_unit, create_campaign

NOW = datetime(2026, 9, 25, 2, 0, tzinfo=UTC)
TZ = ZoneInfo("Asia/Shanghai")
TEXT = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=50),
    st.sampled_from(["", " ", "\n\n", "<b>粗体</b>", "&amp;", "１３９１２３４５６７８", "跳过",
                     "/cancel", "😀" * 40, "\x00\x1f", "王" * 25_000]),
)  # fmt: skip
STEPS = [ReportStep.WORK, ReportStep.PROBLEMS, ReportStep.COORDINATION, ReportStep.PLAN,
         ReportStep.EVIDENCE, ReportStep.REVIEW]  # fmt: skip
FIELDS = ("work_done", "problems", "coordination", "next_plan")
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip


@pytest.fixture
def campaign(database: Database) -> tuple[Database, MemberUnit, int]:
    with database.session() as session:
        created = create_campaign(session=session, name="健康促进区")
        assert created.id is not None
        unit = add_unit(session=session, campaign_id=created.id, full_name="区卫生健康委")
        person = add_person(session=session, name="王芳")
        assert person.id is not None
    return database, unit, person.id


def renders(reply_template: str, values: dict[str, Any]) -> None:
    Renderer().render(reply_template, **values)


@FUZZ
@given(step=st.sampled_from(STEPS), text=TEXT)
def test_report_steps_take_any_text(
    campaign: tuple[Database, MemberUnit, int], step: ReportStep, text: str
) -> None:
    database, unit, person_id = campaign
    assert unit.id is not None
    who = Requester(
        person_id, "王芳", None, (UnitRef(unit.id, "区卫生健康委", AssignmentRole.MAIN),)
    )
    with database.session() as session:
        draft = ReportDraft(unit_id=unit.id, period="2026-09", step=step, work_done="已有内容",
                            problems="已有问题", coordination="", next_plan="已有计划")  # fmt: skip
        session.add(draft)
        session.flush()
        before = {name: getattr(draft, name) for name in FIELDS}
        ctx = reporting.Context(who, unit, YearMonth(2026, 9), NOW, TZ)
        reply = reporting.answer_text(session=session, ctx=ctx, draft=draft, text=text)
        renders(reply.template, dict(reply.values))
        session.refresh(draft)
        after = {name: getattr(draft, name) for name in FIELDS}
        assert after["work_done"].startswith(before["work_done"])  # appended, never replaced
        answered = reporting.FIELD.get(step)
        for name in FIELDS:
            if name != answered:
                assert after[name] == before[name], name
        session.delete(draft)


def asking(session: Session, identity: IdentityRef) -> Requester:
    return identify(db=session, identity=identity, bootstrap_admin=False, at=NOW)


@FUZZ
@given(name=TEXT, phone=TEXT)
def test_registration_questions_take_any_text(
    campaign: tuple[Database, MemberUnit, int], name: str, phone: str
) -> None:
    database, unit, _ = campaign
    identity = IdentityRef(Transport.TELEGRAM, "424242", "424242", "测试")
    with database.session() as session:
        [issued] = issue_invites(session=session, units=[unit], role=AssignmentRole.BACKUP,
                                 replacement=False, now=NOW)  # fmt: skip
        outcome = registration.begin(session=session, identity=identity, code=issued.code,
                                     now=NOW, bootstrap_admin_ids=())  # fmt: skip
        renders(outcome.reply.template, dict(outcome.reply.values))
        assert registration.find_open(session=session, who=asking(session, identity)) is not None
        for answer in (name, phone):
            current = registration.find_open(session=session, who=asking(session, identity))
            if current is None:
                break  # registered: nothing more to ask
            asked_name = current.name
            result = registration.answer_text(
                session=session, registration=current, text=answer, skipped=False, now=NOW,
                bootstrap_admin_ids=(),
            )  # fmt: skip
            renders(result.reply.template, dict(result.reply.values))
            if result.reply.template in ("registration_bad_name", "registration_bad_phone"):
                assert current.name == asked_name  # a rejected answer changes nothing
        session.rollback()  # each example starts from the same database
