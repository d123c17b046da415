"""The fake Bot API server, exercised with python-telegram-bot's own Bot (no mocks)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator

import aiohttp
import pytest
from PIL import Image
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter
from telegram.ext import ApplicationBuilder, MessageHandler, filters

from bot.fakes.ports import free_port
from bot.fakes.telegram import FakeTelegramServer
from tests.conftest import TEST_TOKEN, BotHarness


def jpeg(width: int = 640, height: int = 480, colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
async def raw_bot(telegram: FakeTelegramServer) -> AsyncIterator[Bot]:
    """A bare PTB Bot (no rate limiter, no handlers) pointed at the fake."""
    async with Bot(
        TEST_TOKEN, base_url=telegram.api_base_url, base_file_url=telegram.file_base_url
    ) as bot:
        yield bot


async def test_wrong_token_is_unauthorised(telegram: FakeTelegramServer) -> None:
    with pytest.raises(InvalidToken):  # __aenter__ calls getMe, fails, and shuts down
        async with Bot("1:wrong", base_url=telegram.api_base_url):
            pass


async def test_get_me_and_updates(raw_bot: Bot, telegram: FakeTelegramServer) -> None:
    assert raw_bot.username == telegram.world.bot_username
    user = telegram.world.user(7, "王芳")
    telegram.world.send_text(user, "/start abc")
    [update] = await raw_bot.get_updates()
    assert update.message is not None
    assert update.message.text == "/start abc"
    assert update.message.entities[0].type == "bot_command"
    [again] = await raw_bot.get_updates()  # not confirmed yet: delivered again
    assert again.update_id == update.update_id
    assert await raw_bot.get_updates(offset=update.update_id + 1) == ()


async def test_long_poll_returns_when_an_update_arrives(
    raw_bot: Bot, telegram: FakeTelegramServer
) -> None:
    telegram.long_poll_cap = 10
    user = telegram.world.user(7, "王芳")
    poll = asyncio.create_task(raw_bot.get_updates(timeout=5))
    await asyncio.sleep(0)
    telegram.world.send_text(user, "hello")
    updates = await asyncio.wait_for(poll, 3)
    assert [u.message.text for u in updates if u.message] == ["hello"]


async def test_per_chat_flood_limit_answers_429(raw_bot: Bot, telegram: FakeTelegramServer) -> None:
    telegram.world.user(7, "王芳")
    for _ in range(3):  # the burst Telegram tolerates
        await raw_bot.send_message(7, "ok")
    with pytest.raises(RetryAfter):
        await raw_bot.send_message(7, "one too many")
    assert telegram.world.flood_429s == 1
    assert len(telegram.world.messages_to(7)) == 3


async def test_our_application_retries_429s_and_loses_nothing(bot: BotHarness) -> None:
    bot.world.user(7, "王芳")
    await asyncio.gather(*(bot.application.bot.send_message(7, f"第{i}条") for i in range(6)))
    assert bot.world.flood_429s >= 1
    assert sorted(m.text for m in bot.world.messages_to(7)) == sorted(f"第{i}条" for i in range(6))


async def test_message_rules_match_telegram(raw_bot: Bot, telegram: FakeTelegramServer) -> None:
    telegram.world.user(7, "王芳")
    with pytest.raises(BadRequest, match="too long"):
        await raw_bot.send_message(7, "字" * 4097)
    with pytest.raises(BadRequest, match="parse entities"):
        await raw_bot.send_message(7, "<b>unclosed", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await raw_bot.send_message(999, "nobody")
    sent = await raw_bot.send_message(7, "<b>粗</b> &amp;", parse_mode=ParseMode.HTML)
    assert sent.text == "粗 &"


async def test_blocked_user_gives_forbidden(raw_bot: Bot, telegram: FakeTelegramServer) -> None:
    telegram.world.block_bot(telegram.world.user(7, "王芳"))
    with pytest.raises(Forbidden, match="blocked"):
        await raw_bot.send_message(7, "hello")


async def test_user_photo_can_be_downloaded(raw_bot: Bot, telegram: FakeTelegramServer) -> None:
    picture = jpeg()
    telegram.world.send_photo(telegram.world.user(7, "王芳"), picture, caption="3月5日·社区·义诊")
    [update] = await raw_bot.get_updates()
    assert update.message is not None
    largest = update.message.photo[-1]
    assert (largest.width, largest.height) == (640, 480)
    assert update.message.photo[0].width <= 90
    assert update.message.caption == "3月5日·社区·义诊"
    downloaded = await (await raw_bot.get_file(largest.file_id)).download_as_bytearray()
    assert bytes(downloaded) == picture


async def test_album_arrives_as_separate_updates(
    raw_bot: Bot, telegram: FakeTelegramServer
) -> None:
    telegram.world.send_album(
        telegram.world.user(7, "王芳"),
        [jpeg(colour=c) for c in ("red", "green", "blue")],
        caption="义诊",
    )
    updates = await raw_bot.get_updates()
    messages = [u.message for u in updates if u.message]
    assert len(messages) == 3
    assert len({m.media_group_id for m in messages}) == 1
    assert [m.caption for m in messages] == ["义诊", None, None]


async def test_user_document(raw_bot: Bot, telegram: FakeTelegramServer) -> None:
    telegram.world.send_document(
        telegram.world.user(7, "王芳"),
        b"%PDF-1.4 test",
        file_name="方案.pdf",
        mime_type="application/pdf",
    )
    [update] = await raw_bot.get_updates()
    assert update.message is not None
    assert update.message.document is not None
    assert update.message.document.file_name == "方案.pdf"
    data = await (await raw_bot.get_file(update.message.document.file_id)).download_as_bytearray()
    assert bytes(data) == b"%PDF-1.4 test"


async def test_bot_uploads_photos_documents_and_albums(
    raw_bot: Bot, telegram: FakeTelegramServer
) -> None:
    world = telegram.world
    world.user(7, "王芳")
    photo = await raw_bot.send_photo(7, jpeg(), caption="照片")
    await raw_bot.send_document(7, io.BytesIO(b"xlsx bytes"), filename="汇总表.xlsx")
    await asyncio.sleep(1)  # one message per second per chat, as on Telegram
    album = await raw_bot.send_media_group(7, [InputMediaPhoto(jpeg()), InputMediaPhoto(jpeg())])
    assert photo.photo[-1].width == 640
    assert len(album) == 2
    assert [m.kind for m in world.messages_to(7)] == ["photo", "document", "photo", "photo"]
    document = world.messages_to(7)[1].raw["document"]
    assert document["file_name"] == "汇总表.xlsx"
    assert world.file_bytes(document["file_id"]) == b"xlsx bytes"
    with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
        await raw_bot.send_photo(7, b"not a picture")


async def test_buttons_edits_and_callback_answers(
    raw_bot: Bot, telegram: FakeTelegramServer
) -> None:
    world = telegram.world
    user = world.user(7, "王芳")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("完成", callback_data="done:1")]])
    sent = await raw_bot.send_message(7, "本月完成工作？", reply_markup=keyboard)
    world.press_button(user, world.last_message_to(7), text="完成")
    [update] = await raw_bot.get_updates()
    assert update.callback_query is not None
    assert update.callback_query.data == "done:1"
    await update.callback_query.answer("已保存")
    assert world.callback_answers[-1]["text"] == "已保存"
    await raw_bot.edit_message_text("已完成", chat_id=7, message_id=sent.message_id)
    assert world.last_message_to(7).text == "已完成"
    assert world.last_message_to(7).buttons == []
    with pytest.raises(BadRequest, match="not modified"):
        await raw_bot.edit_message_text("已完成", chat_id=7, message_id=sent.message_id)
    with pytest.raises(LookupError):
        world.press_button(user, world.last_message_to(7), text="不存在")


async def test_control_api_acts_as_a_user(raw_bot: Bot, telegram: FakeTelegramServer) -> None:
    async with aiohttp.ClientSession(telegram.url) as http:
        response = await http.post(
            "/_control/users/7/text", json={"text": "你好", "first_name": "王芳"}
        )
        assert response.status == 200
        [update] = await raw_bot.get_updates()
        assert update.message is not None
        assert update.message.text == "你好"
        await raw_bot.send_message(7, "收到")
        messages = await (await http.get("/_control/chats/7/messages")).json()
    assert [m["text"] for m in messages] == ["收到"]


async def test_webhook_delivery_with_secret(telegram: FakeTelegramServer) -> None:
    port = free_port()
    seen = asyncio.Event()
    texts: list[str] = []

    async def remember(update: Update, _context: object) -> None:
        assert update.message is not None
        assert update.message.text is not None
        texts.append(update.message.text)
        seen.set()

    app = ApplicationBuilder().token(TEST_TOKEN).base_url(telegram.api_base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, remember))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="tg",
            webhook_url=f"http://127.0.0.1:{port}/tg",
            secret_token="s3cret",
        )
        try:
            telegram.world.send_text(telegram.world.user(7, "王芳"), "经由 webhook")
            await asyncio.wait_for(seen.wait(), 5)
            async with aiohttp.ClientSession() as http:
                forged = await http.post(
                    f"http://127.0.0.1:{port}/tg",
                    json={"update_id": 99, "message": {}},
                    headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"},
                )
        finally:
            await app.updater.stop()
            await app.stop()
    assert texts == ["经由 webhook"]
    assert forged.status == 403
