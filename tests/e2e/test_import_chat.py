"""Campaign import from chat: send the file, read the check, confirm (office admins only)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from storage.models import MemberUnit, Task
from tests.conftest import BotHarness
from tests.e2e.seed import seed_liaison
from tests.seedfiles import seed_002, write_xlsx

ADMIN_ID = 9001
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def stored_tasks(bot: BotHarness) -> int:
    with bot.deps.db.session() as session:
        return len(session.exec(select(Task)).all())


@pytest.mark.bot_settings(office_admin_ids=(ADMIN_ID,))
async def test_send_check_confirm(bot: BotHarness, tmp_path: Path) -> None:
    """A 责任分工 table into a campaign with no units yet: its 32 names are asked about (one
    tap creates them all), then the check is confirmed."""
    admin = bot.world.user(ADMIN_ID, "陈静")
    data = write_xlsx(seed_002(), tmp_path / "责任分工细则.xlsx").read_bytes()
    bot.world.send_document(admin, data, file_name="责任分工细则.xlsx", mime_type=XLSX)
    check, question = await bot.world.wait_for_messages(ADMIN_ID, 2)
    assert "导入检查（试运行，未写入任何内容）" in check.text
    assert "任务：将新建 83，更新 0，未变 0" in check.text
    assert "没有相近单位的名称（32，未创建，待确认）" in check.text
    assert "县医改领导小组成员单位" in check.text
    assert check.button_texts == []  # names first
    assert "请确认名称（还有 32 个）" in question.text and "卫健局" in question.text
    assert question.button_texts == ["新建单位", "不是单位，忽略", "这 32 个都新建"]
    assert stored_tasks(bot) == 0  # nothing written before confirmation

    bot.world.press_button(admin, question, text="这 32 个都新建")
    [checked] = await bot.world.wait_for_messages(ADMIN_ID, since=2)
    assert "将新建的单位（32）" in checked.text
    assert checked.button_texts == ["✅ 确认导入", "取消"]
    with bot.deps.db.session() as session:
        assert session.exec(select(MemberUnit)).all() == []  # still only a check
    confirm_data = checked.buttons[0]["callback_data"]
    bot.world.press_button(admin, checked, text="✅ 确认导入")
    [done] = await bot.world.wait_for_messages(ADMIN_ID, since=3)
    assert "导入完成" in done.text
    assert "任务：新建 83，更新 0，未变 0" in done.text
    assert "新建的单位（32）" in done.text
    assert stored_tasks(bot) == 83

    bot.world.press_button(admin, checked, data=confirm_data)  # a stale second tap
    [again] = await bot.world.wait_for_messages(ADMIN_ID, since=4)
    assert "已经处理过了" in again.text
    assert stored_tasks(bot) == 83


@pytest.mark.bot_settings(office_admin_ids=(ADMIN_ID,))
async def test_cancel_and_broken_files(bot: BotHarness) -> None:
    admin = bot.world.user(ADMIN_ID, "陈静")
    bot.world.send_document(
        admin, b"just text, no table", file_name="notes.csv", mime_type="text/csv"
    )
    [failed] = await bot.world.wait_for_messages(ADMIN_ID)
    assert "无法导入“notes.csv”：没有找到可识别的表头" in failed.text
    assert "未写入任何内容" in failed.text
    units = "单位名称,简称\n永川区教育委员会,区教委\n".encode("gbk")
    bot.world.send_document(admin, units, file_name="units.csv", mime_type="text/csv")
    [check] = await bot.world.wait_for_messages(ADMIN_ID, since=1)
    bot.world.press_button(admin, check, text="取消")
    [cancelled] = await bot.world.wait_for_messages(ADMIN_ID, since=2)
    assert "已取消导入“units.csv”" in cancelled.text
    with bot.deps.db.session() as session:
        assert session.exec(select(MemberUnit)).all() == []


async def test_only_office_admins_may_import(bot: BotHarness) -> None:
    seed_liaison(bot.deps, telegram_id=1001, name="王芳", unit_names=["区教委"])
    for user_id, expected in [(1, "您还没有登记为联络员"), (1001, "请先发送 /report")]:
        user = bot.world.user(user_id, "某人")
        bot.world.send_document(user, b"a,b\n", file_name="x.csv", mime_type="text/csv")
        [refused] = await bot.world.wait_for_messages(user_id)
        assert expected in refused.text
