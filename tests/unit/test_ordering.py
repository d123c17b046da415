"""Updates of different chats run side by side; one chat's updates run one after another, in
the order they arrived."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from bot.ordering import PerChatOrder

SENT = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)


def text_update(update_id: int, chat_id: int) -> Update:
    user = User(id=chat_id, first_name="联络员", is_bot=False)
    message = Message(
        message_id=update_id, date=SENT, chat=Chat(id=chat_id, type="private"),
        from_user=user, text=f"第{update_id}条",
    )  # fmt: skip
    return Update(update_id=update_id, message=message)


async def test_one_chat_in_order_different_chats_side_by_side() -> None:
    processor = PerChatOrder(max_concurrent_updates=8)
    log: list[str] = []

    async def handle(update_id: int, chat_id: int, seconds: float) -> None:
        log.append(f"start {chat_id}:{update_id}")
        await asyncio.sleep(seconds)
        log.append(f"end {chat_id}:{update_id}")

    arrivals = [(1, 100, 0.05), (2, 100, 0.0), (3, 200, 0.0), (4, 100, 0.0)]
    async with processor:
        await asyncio.gather(
            *(
                processor.process_update(text_update(uid, chat), handle(uid, chat, seconds))
                for uid, chat, seconds in arrivals
            )
        )
    chat_100 = [entry for entry in log if " 100:" in entry]
    assert chat_100 == ["start 100:1", "end 100:1", "start 100:2", "end 100:2",
                        "start 100:4", "end 100:4"]  # fmt: skip
    # chat 200 did not wait for chat 100's slow first update
    assert log.index("end 200:3") < log.index("end 100:1")
    assert processor._chats == {}  # nothing kept once every chat is idle
