"""What went wrong at start-up, in one line that names the setting to look at.

``liaison-bot run`` turns every failure to start a transport into a ``StartupError`` made
here: the IT person reads one line (and the exit status), not a library's traceback — and
never the token, which library exceptions like to quote (``bot.logs`` masks what is left).
"""

from __future__ import annotations

import errno
import re
import urllib.request
from urllib.parse import urlsplit

from bot.config import Settings

# WeCom's gettoken answers (https://developer.work.weixin.qq.com/document/path/90313).
WECOM_BAD_CORP_ID = 40013
WECOM_BAD_SECRET = 40001
WECOM_UNTRUSTED_IP = 60020
_FROM_IP = re.compile(r"from ip:\s*([0-9a-fA-F.:]+)")


def _reason(exc: BaseException) -> str:
    """A library exception's first line, without its module prefix."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.removeprefix("httpx.")[:200]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=netloc).geturl()


def telegram_proxy_in_use(settings: Settings) -> tuple[str, str] | None:
    """(the setting's name, the proxy URL) that Telegram's requests go through, if any:
    ``TELEGRAM_PROXY``, else the HTTPS_PROXY/ALL_PROXY environment httpx honours (NO_PROXY
    respected)."""
    if settings.telegram_proxy:
        return "TELEGRAM_PROXY", settings.telegram_proxy
    target = urlsplit(settings.telegram_api_base_url)
    if urllib.request.proxy_bypass(target.hostname or ""):
        return None
    proxies = urllib.request.getproxies()
    for key in (target.scheme, "all"):
        if proxies.get(key):
            return f"{key.upper()}_PROXY", proxies[key]
    return None


def telegram_problem(settings: Settings, exc: Exception) -> str:
    """A failed getMe or setMyCommands/setWebhook at start-up, as one line."""
    from telegram.error import BadRequest, InvalidToken, NetworkError

    if isinstance(exc, InvalidToken):
        return (
            "TELEGRAM_BOT_TOKEN: Telegram rejected the token (401 Unauthorized); copy it again "
            "from @BotFather (/mybots → API Token)"
        )
    where = _origin(settings.telegram_api_base_url)
    if isinstance(exc, NetworkError) and not isinstance(exc, BadRequest):
        proxy = telegram_proxy_in_use(settings)
        if proxy is not None:
            name, url = proxy
            return (
                f"{name}: cannot reach {where} through the proxy {_without_password(url)} "
                f"({_reason(exc)}); check that the proxy runs and can reach Telegram"
            )
        return (
            f"TELEGRAM_API_BASE_URL: cannot reach {where} ({_reason(exc)}); from mainland "
            "China Telegram needs a proxy: set TELEGRAM_PROXY (or HTTPS_PROXY), or use "
            "TRANSPORT=wecom"
        )
    return f"Telegram: {where} refused the bot's start ({_reason(exc)})"


def wecom_problem(settings: Settings, exc: Exception) -> str:
    """A failed gettoken at start-up, as one line (the three usual causes explained)."""
    from bot.wecom.client import WeComError

    if isinstance(exc, WeComError):
        if exc.errcode == WECOM_BAD_CORP_ID:
            return (
                f"WECOM_CORP_ID: WeCom does not know this 企业ID ({exc.errcode} invalid corpid); "
                "copy it from the admin console, 我的企业 → 企业信息 → 企业ID"
            )
        if exc.errcode == WECOM_BAD_SECRET:
            return (
                f"WECOM_SECRET: WeCom rejected the app's Secret ({exc.errcode} invalid "
                "credential); copy it again from 应用管理 → the app → Secret (it must be this "
                "app's Secret, for this WECOM_CORP_ID)"
            )
        if exc.errcode == WECOM_UNTRUSTED_IP:
            found = _FROM_IP.search(exc.errmsg)
            ip = f" ({found.group(1)})" if found else ""
            return (
                f"WeCom refuses requests from this server's IP{ip} ({exc.errcode}): add it to "
                "the app's 企业可信IP (应用管理 → the app → 企业可信IP)"
            )
        return f"WECOM_SECRET: WeCom refused gettoken ({exc.errcode} {exc.errmsg[:120]})"
    where = _origin(settings.wecom_api_base_url)
    return f"WECOM_API_BASE_URL: cannot reach {where} ({_reason(exc)})"


def port_problem(port_setting: str, listen_setting: str, host: str, port: int, exc: OSError) -> str:
    """A listening socket that could not be opened, as one line."""
    if exc.errno == errno.EADDRINUSE:
        return (
            f"{port_setting}: {host}:{port} is already in use (is another liaison-bot "
            "running?); stop the other program or choose another port"
        )
    if exc.errno == errno.EACCES:
        return (
            f"{port_setting}: not allowed to listen on port {port} (ports below 1024 need "
            "root); use a higher port behind the reverse proxy"
        )
    return f"{listen_setting}: cannot listen on {host}:{port} ({exc.strerror or exc})"
