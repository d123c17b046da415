"""Photos and documents in the report: albums, PDFs, duplicates, captions, limits."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from PIL import Image
from sqlmodel import col, select

from bot.clock import ManualClock
from bot.fakes.telegram import FakeUser, SentMessage
from storage.models import Evidence, EvidenceKind, Submission
from tests.conftest import BotHarness
from tests.e2e.seed import seed_liaison

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def jpeg(shade: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (shade, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


async def to_photo_step(bot: BotHarness, user: FakeUser) -> SentMessage:
    bot.deps.clock = ManualClock(datetime(2026, 11, 23, 10, tzinfo=ZoneInfo("Asia/Shanghai")))
    seed_liaison(bot.deps, telegram_id=user.id, name="王芳", unit_names=["区卫生健康委"])
    await bot.world.say(user, "/report")
    [ack] = await bot.world.say(user, "开展高血压义诊")
    [step] = await _tap(bot, user, ack, "✅ 完成")
    for _ in range(3):  # skip 存在问题, 需协调解决事项, 下月工作计划
        [step] = await _tap(bot, user, step, "跳过")
    ack = step
    assert "第5步" in ack.text
    return ack


def stored(bot: BotHarness) -> list[Evidence]:
    with bot.deps.db.session() as session:
        return list(session.exec(select(Evidence).order_by(col(Evidence.id))))


async def test_album_and_pdf_are_all_kept_and_acknowledged_once(bot: BotHarness) -> None:
    user = bot.world.user(1001, "王芳")
    prompt = await to_photo_step(bot, user)
    since = len(bot.world.messages_to(1001))
    bot.world.send_album(user, [jpeg(n * 20) for n in range(10)], caption="11月5日·卫星湖社区·义诊")
    bot.world.send_document(user, PDF, file_name="活动方案.pdf", mime_type="application/pdf")
    [ack] = await bot.world.wait_for_messages(1001, since=since)
    assert "已收到 10 张照片 1 份文件" in ack.text
    assert "本月共照片 10 张、文件 1 份" in ack.text
    assert "没有说明" not in ack.text
    files = stored(bot)
    assert len(files) == 11
    assert {f.caption for f in files if f.kind == EvidenceKind.PHOTO} == {"11月5日·卫星湖社区·义诊"}
    assert all(bot.deps.files.exists(f.sha256) for f in files)
    pdf = next(f for f in files if f.kind == EvidenceKind.DOCUMENT)
    assert bot.deps.files.read_bytes(pdf.sha256) == PDF
    photo = next(f for f in files if f.kind == EvidenceKind.PHOTO)
    assert Image.open(io.BytesIO(bot.deps.files.read_bytes(photo.sha256))).size == (800, 600)

    [review] = await _tap(bot, user, prompt, "✅ 完成")
    assert "照片 10 张、文件 1 份" in review.text
    [done] = await _tap(bot, user, review, "📨 提交")
    assert "已提交" in done.text
    with bot.deps.db.session() as session:
        submission = session.exec(select(Submission)).one()
    assert (submission.photo_count, submission.document_count) == (10, 1)


async def test_uncaptioned_photos_get_one_question_and_duplicates_are_kept_once(
    bot: BotHarness,
) -> None:
    user = bot.world.user(1001, "王芳")
    await to_photo_step(bot, user)
    since = len(bot.world.messages_to(1001))
    for shade in (10, 20, 10):  # the third is the first one again
        bot.world.send_photo(user, jpeg(shade))
    [ack] = await bot.world.wait_for_messages(1001, since=since)
    assert "已收到 2 张照片（1 个之前已收到，未重复保存）" in ack.text
    assert "有 2 张照片没有说明" in ack.text
    [answer] = await bot.world.say(user, "11月12日·城关小学·控烟讲座")
    assert "已为 2 张照片补充说明" in answer.text
    assert {f.caption for f in stored(bot)} == {"11月12日·城关小学·控烟讲座"}
    assert len(stored(bot)) == 2


async def test_limits_and_files_outside_a_report(bot: BotHarness) -> None:
    user = bot.world.user(1001, "王芳")
    seed_liaison(bot.deps, telegram_id=1001, name="王芳", unit_names=["区卫生健康委"])
    bot.world.send_photo(user, jpeg(1))
    [hint] = await bot.world.wait_for_messages(1001)
    assert "请先发送 /report" in hint.text
    assert stored(bot) == []
    await bot.world.say(user, "/report")
    since = len(bot.world.messages_to(1001))
    bot.world.send_document(
        user, b"MZ...", file_name="setup.exe", mime_type="application/x-msdownload"
    )
    [wrong] = await bot.world.wait_for_messages(1001, since=since)
    assert "暂不接收“setup.exe”这类文件" in wrong.text
    big = b"0" * (21 * 1024 * 1024)
    bot.world.send_document(user, big, file_name="录像.pdf", mime_type="application/pdf")
    [too_big] = await bot.world.wait_for_messages(1001, since=since + 1)
    assert "超过 20 MB" in too_big.text
    assert stored(bot) == []


async def _tap(
    bot: BotHarness, user: FakeUser, message: SentMessage, label: str
) -> list[SentMessage]:
    since = len(bot.world.messages_to(user.id))
    bot.world.press_button(user, message, text=label)
    return await bot.world.wait_for_messages(user.id, since=since)
