"""The bot's log: secrets masked everywhere (message, arguments, a library's exception text),
times in the office's zone, the scheduler's per-minute chatter below INFO."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.config import Settings
from bot.logs import MASK, OfficeTimeFormatter, SecretMask, configure_logging

TOKEN = "123456789:AAE-secret_part_of_the_token"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """configure_logging on a string stream; the root logger is put back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in ("httpx", "apscheduler")}
    stream = io.StringIO()
    settings = Settings(
        _env_file=None, telegram_bot_token=TOKEN, wecom_secret="wecom-app-secret-123",
        database_url="postgresql://liaison:db-password-9@db/liaison", timezone="Asia/Shanghai",
    )  # fmt: skip
    configure_logging(settings, stream)
    try:
        yield stream
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, old in levels.items():
            logging.getLogger(name).setLevel(old)
        logging.captureWarnings(False)


def test_the_mask_hides_each_secret_and_the_token_without_its_prefix() -> None:
    mask = SecretMask([TOKEN, "pw", "wecom-app-secret-123"])
    text = (
        f"url https://api.telegram.org/bot{TOKEN}/getMe and /file/bot123:x "
        "tail AAE-secret_part_of_the_token, secret wecom-app-secret-123, "
        "https://qyapi.weixin.qq.com/cgi-bin/media/get?access_token=abc.DEF-1&media_id=9 "
        "gettoken?corpid=ww1&corpsecret=s3cr3t"
    )
    masked = mask(text)
    for secret in (TOKEN, "AAE-secret_part_of_the_token", "wecom-app-secret-123", "abc.DEF-1",
                   "s3cr3t"):  # fmt: skip
        assert secret not in masked
    assert f"bot{MASK}/getMe" in masked
    assert "access_token=***&media_id=9" in masked
    assert mask("pw is short") == "pw is short"  # under 4 characters it would mask words
    assert mask("nothing secret") == "nothing secret"


def test_log_records_are_masked_with_their_arguments_and_tracebacks(
    captured: io.StringIO,
) -> None:
    log = logging.getLogger("telegram.ext.Updater")
    log.warning("polling %s failed", f"https://api.telegram.org/bot{TOKEN}/getUpdates")
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
    except RuntimeError:
        log.exception("library error")
    logging.getLogger("sqlalchemy").error("cannot connect: password db-password-9 refused")
    logging.getLogger("bot.wecom").error("secret %s", "wecom-app-secret-123")
    text = captured.getvalue()
    assert "Traceback" in text and "was rejected by the server" in text
    for secret in (TOKEN, "AAE-secret_part_of_the_token", "db-password-9", "wecom-app-secret-123"):
        assert secret not in text
    assert text.count(MASK) >= 4


def test_scheduler_chatter_and_request_urls_stay_below_info(captured: io.StringIO) -> None:
    logging.getLogger("apscheduler.executors.default").info('Running job "tick"')
    logging.getLogger("apscheduler.scheduler").info("Added job")
    logging.getLogger("httpx").info("HTTP Request: POST https://api.telegram.org/bot…")
    logging.getLogger("bot.serve").info("WeCom callback listening")
    logging.getLogger("apscheduler.scheduler").warning("Run time of job was missed")
    lines = captured.getvalue().splitlines()
    assert [line.split(" ", 3)[3] for line in lines] == [
        "INFO bot.serve: WeCom callback listening",
        "WARNING apscheduler.scheduler: Run time of job was missed",
    ]


@pytest.mark.parametrize(
    ("zone", "shown"),
    [("Asia/Shanghai", "2026-02-28 09:00:00 +0800"), ("Asia/Urumqi", "2026-02-28 07:00:00 +0600"),
     ("UTC", "2026-02-28 01:00:00 +0000")],
)  # fmt: skip
def test_log_times_are_in_the_office_time_zone(zone: str, shown: str) -> None:
    from zoneinfo import ZoneInfo

    record = logging.LogRecord("bot", logging.INFO, __file__, 1, "tick", None, None)
    record.created = datetime(2026, 2, 28, 1, 0, tzinfo=UTC).timestamp()
    formatter = OfficeTimeFormatter("%(asctime)s %(message)s", ZoneInfo(zone))
    assert formatter.format(record) == f"{shown} tick"
