"""The bot's log: office time, no secrets, no per-minute chatter.

- Every line's time is in the office's ``TIMEZONE`` with its UTC offset (the schedule's own
  lines speak of 09:00 office time; a log in UTC made them look an hour-shifted puzzle).
- ``SecretMask`` replaces every configured secret (bot token, WeCom secret, token and key,
  webhook secret, database and proxy passwords) and any WeCom ``access_token=…`` in what is
  logged — the message, its arguments and the traceback, including the text of a library's
  exception — and in the one-line errors of the command line (``mask``).
- httpx logs every request URL at INFO (Bot API URLs contain the token), APScheduler two
  lines a minute for the schedule's tick, Alembic its plug-ins whenever it loads: all three
  only from WARNING on.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import TextIO

from bot.config import Settings

MASK = "***"
# Secrets that are not settings: WeCom's short-lived access_token and the secret in a
# gettoken URL travel in query strings, which aiohttp puts into its exception texts.
_QUERY_SECRETS = re.compile(r"(?i)\b(access_token|corpsecret)=[^&\s'\"]+")
QUIET_LOGGERS = {"httpx": logging.WARNING, "apscheduler": logging.WARNING,
                 "alembic": logging.WARNING}  # fmt: skip
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class SecretMask:
    """Replaces known secrets in text. A bot token ``123:abc…`` is also masked without its
    numeric prefix (the part after the colon is the secret)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        found: set[str] = set()
        for secret in secrets:
            if len(secret) >= 4:
                found.add(secret)
            _, colon, tail = secret.partition(":")
            if colon and len(tail) >= 8:
                found.add(tail)
        self._secrets = sorted(found, key=len, reverse=True)  # longest first

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return _QUERY_SECRETS.sub(lambda m: f"{m.group(1)}={MASK}", text)


class SecretFilter(logging.Filter):
    """A handler filter that masks secrets in each record before any formatter sees it: the
    message is rendered with its arguments and masked, and so is the traceback text."""

    def __init__(self, mask: SecretMask) -> None:
        super().__init__()
        self.mask = mask
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.mask(record.getMessage())
        record.args = None
        if record.exc_info:
            if not record.exc_text:
                record.exc_text = self._formatter.formatException(record.exc_info)
            record.exc_info = None  # formatters would render it again, unmasked
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        if record.stack_info:
            record.stack_info = self.mask(record.stack_info)
        return True


class OfficeTimeFormatter(logging.Formatter):
    """``2026-09-22 09:00:01 +0800``: the office's wall clock, with its offset."""

    def __init__(self, fmt: str, tz: tzinfo) -> None:
        super().__init__(fmt)
        self.tz = tz

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        moment = datetime.fromtimestamp(record.created, self.tz)
        return moment.strftime(datefmt or "%Y-%m-%d %H:%M:%S %z")


def configure_logging(settings: Settings, stream: TextIO | None = None) -> SecretMask:
    """Log INFO and above to stderr in office time with secrets masked; return the mask for
    the command line's own error lines."""
    mask = SecretMask(settings.secret_values())
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(OfficeTimeFormatter(FORMAT, settings.tz))
    handler.addFilter(SecretFilter(mask))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for name, level in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(level)
    logging.captureWarnings(True)
    return mask
