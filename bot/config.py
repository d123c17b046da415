"""Settings: one object, built once from the environment (and ``.env``), passed down.

Nothing here runs at import time. ``load_settings()`` is the only place that reads the
environment; tests and the demo construct ``Settings(...)`` directly.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url

from bot.errors import ConfigError

_TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")

Language = Literal["zh-CN", "en"]


class Settings(BaseSettings):
    """Every setting, named as its environment variable (case-insensitive)."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,  # "WEBHOOK_URL=" in a copied .env.example means "not set"
        extra="ignore",
        frozen=True,
    )

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_file_base_url: str = "https://api.telegram.org/file/bot"
    telegram_proxy: str | None = None  # e.g. http://127.0.0.1:7890; else HTTPS_PROXY applies
    database_url: str = "sqlite:///data/liaison.db"
    data_dir: Path = Path("data")
    office_admin_ids: Annotated[tuple[int, ...], NoDecode] = ()
    timezone: str = "Asia/Shanghai"
    language: Language = "zh-CN"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    reminder_tick_seconds: int = Field(default=60, ge=0, le=3600)  # 0: no scheduled messages
    bulletin_title: str = ""  # 简报 title; empty: the default wording
    bulletin_office: str = ""  # 编发单位; empty: the campaign's office name
    bulletin_to: str = ""  # 报：
    bulletin_cc: str = ""  # 送：
    bulletin_distribute: str = ""  # 发：
    archive_fonds: str = ""  # 全宗号 in the archive's 档号 (empty: left out)
    archive_reference: str = "{fonds}-{year}-{retention}-{code}-{number}"  # the 档号 pattern
    archive_retention: str = Field(default="D10", pattern=r"^(Y|D10|D30)$")  # 保管期限
    transport: Literal["telegram", "wecom", "both"] = "telegram"
    wecom_corp_id: str = ""  # 企业 ID (the ReceiveId of callbacks)
    wecom_agent_id: int = 0  # the self-built app's AgentId
    wecom_secret: SecretStr | None = None  # the app's Secret
    wecom_token: SecretStr | None = None  # callback Token
    wecom_encoding_aes_key: SecretStr | None = None  # callback EncodingAESKey, 43 characters
    wecom_api_base_url: str = "https://qyapi.weixin.qq.com"  # 政务微信 and private hosts differ
    wecom_callback_path: str = "/wecom/callback"
    wecom_callback_listen: str = "0.0.0.0"
    wecom_callback_port: int = Field(default=8081, ge=1, le=65535)
    wecom_admin_userids: Annotated[tuple[str, ...], NoDecode] = ()
    wecom_cards: bool = True  # choices also as a card with buttons (the WeChat plug-in hides cards)
    web_listen: str = "127.0.0.1"  # the web console's address (behind the reverse proxy)
    web_port: int = Field(default=0, ge=0, le=65535)  # 0: no web console
    web_base_url: str | None = None  # the console's public URL, used in /web login links

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _TOKEN_PATTERN.match(value.get_secret_value()):
            raise ValueError("does not look like a bot token (digits, a colon, then letters)")
        return value

    @field_validator("telegram_api_base_url", "telegram_file_base_url", "wecom_api_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if urlsplit(value).scheme not in {"http", "https"} or not urlsplit(value).netloc:
            raise ValueError("must be an http(s) URL")
        return value

    @field_validator("telegram_proxy")
    @classmethod
    def _proxy_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https", "socks5", "socks5h"} or not parts.hostname:
            raise ValueError("must be a proxy URL such as http://127.0.0.1:7890")
        return value

    @field_validator("wecom_callback_path")
    @classmethod
    def _callback_path(cls, value: str) -> str:
        if not re.fullmatch(r"/[A-Za-z0-9_./~-]*", value):
            raise ValueError("must be a URL path starting with / (such as /wecom/callback)")
        return value

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, value: str) -> str:
        """Accept the URLs people paste (postgres://, postgresql://) and use psycopg 3."""
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value.removeprefix(prefix)
        if not value.startswith(("sqlite://", "postgresql+psycopg://")):
            raise ValueError("must start with sqlite:// or postgresql+psycopg://")
        return value

    @field_validator("office_admin_ids", "wecom_admin_userids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        """Read ``OFFICE_ADMIN_IDS=123,456`` (spaces and a trailing comma are fine)."""
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace("，", ",").split(",")]
            return tuple(part for part in parts if part)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("is not an IANA time zone such as Asia/Shanghai") from None
        return value

    @field_validator("archive_reference")
    @classmethod
    def _archive_reference(cls, value: str) -> str:
        try:
            value.format(fonds="", year=2026, retention="D10", code="1.1", number="0001")
        except (KeyError, IndexError, ValueError):
            raise ValueError("may use only {fonds} {year} {retention} {code} {number}") from None
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError("must be an http(s) URL such as https://bot.example.org/telegram")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _SECRET_PATTERN.match(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z a-z 0-9 _ -")
        return value

    @field_validator("wecom_encoding_aes_key")
    @classmethod
    def _aes_key_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9]{43}", value.get_secret_value()):
            raise ValueError("must be the 43 letters and digits the WeCom console shows")
        return value

    @field_validator("web_base_url")
    @classmethod
    def _web_base_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query:
            raise ValueError("must be an http(s) URL such as https://bot.example.org/console")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _web_needs_its_url(self) -> Settings:
        if self.web_port and not self.web_base_url:
            raise ValueError(
                "WEB_BASE_URL: required when WEB_PORT is set (the address people open, "
                "e.g. https://bot.example.org/console)"
            )
        return self

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError("WEBHOOK_SECRET: required when WEBHOOK_URL is set")
        return self

    @model_validator(mode="after")
    def _wecom_needs_its_settings(self) -> Settings:
        if self.transport == "telegram":
            return self
        needed = {
            "WECOM_CORP_ID": self.wecom_corp_id,
            "WECOM_AGENT_ID": self.wecom_agent_id,
            "WECOM_SECRET": self.wecom_secret,
            "WECOM_TOKEN": self.wecom_token,
            "WECOM_ENCODING_AES_KEY": self.wecom_encoding_aes_key,
        }
        for name, value in needed.items():
            if not value:
                raise ValueError(f"{name}: required when TRANSPORT={self.transport}")
        return self

    @model_validator(mode="after")
    def _one_port_each(self) -> Settings:
        if self.webhook_mode and self.uses_wecom and self.webhook_port == self.wecom_callback_port:
            raise ValueError(
                f"WECOM_CALLBACK_PORT: must differ from WEBHOOK_PORT (both are {self.webhook_port})"
            )
        return self

    @property
    def uses_telegram(self) -> bool:
        return self.transport in ("telegram", "both")

    @property
    def uses_wecom(self) -> bool:
        return self.transport in ("wecom", "both")

    @property
    def tz(self) -> ZoneInfo:
        """The office's time zone, for deadlines and working hours."""
        return ZoneInfo(self.timezone)

    @property
    def web_enabled(self) -> bool:
        """The web console runs when WEB_PORT is set (WEB_BASE_URL is then required)."""
        return bool(self.web_port and self.web_base_url)

    @property
    def web_root(self) -> str:
        """The path of WEB_BASE_URL ("" or e.g. "/console"): where the console's pages live."""
        return urlsplit(self.web_base_url or "").path.rstrip("/")

    @property
    def web_secure(self) -> bool:
        """Cookies are marked Secure when people reach the console over https."""
        return urlsplit(self.web_base_url or "").scheme == "https"

    @property
    def webhook_mode(self) -> bool:
        """Webhook when ``WEBHOOK_URL`` is set, long polling otherwise."""
        return self.webhook_url is not None

    @property
    def webhook_path(self) -> str:
        """The path part of ``WEBHOOK_URL``: where the local webhook server listens."""
        return urlsplit(self.webhook_url or "").path.lstrip("/")

    def secret_values(self) -> list[str]:
        """Every configured secret, for masking in logs and error lines (``bot.logs``): the
        tokens and keys, and the passwords in the database and proxy URLs."""
        values = [
            secret.get_secret_value()
            for secret in (self.telegram_bot_token, self.webhook_secret, self.wecom_secret,
                           self.wecom_token, self.wecom_encoding_aes_key)
            if secret is not None
        ]  # fmt: skip
        for url in (self.database_url, self.telegram_proxy or ""):
            password = urlsplit(url).password
            if password:
                values.append(password)
        return values

    def with_base(self, base: Path) -> Settings:
        """These settings with relative paths (a SQLite ``DATABASE_URL``, ``DATA_DIR``) taken
        from ``base``, so every command finds the same files whatever its working directory."""
        update: dict[str, Any] = {}
        if not self.data_dir.is_absolute():
            update["data_dir"] = base / self.data_dir
        url = make_url(self.database_url)
        database = url.database or ""
        relative = database not in ("", ":memory:") and not Path(database).is_absolute()
        if url.get_backend_name() == "sqlite" and relative:
            url = url.set(database=str(base / database))
            update["database_url"] = url.render_as_string(hide_password=False)
        return self.model_copy(update=update) if update else self

    def require_token(self) -> str:
        """Return the bot token, or explain how to get one."""
        if self.telegram_bot_token is None:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN: not set; get a token from @BotFather and put it in .env"
            )
        return self.telegram_bot_token.get_secret_value()


def load_settings(
    env_file: Path | str | None = ".env", *, required: bool = False, **overrides: Any
) -> Settings:
    """Build settings from the environment and ``env_file``; raise one readable ConfigError.

    ``required``: the file was named on purpose (``--env-file``), so its absence is an error
    rather than a reason to carry on with defaults (and a fresh, empty database). Relative
    paths are taken from the settings file's folder, or from the working directory when no
    settings file is read (``Settings.with_base``)."""
    path = Path(env_file) if env_file is not None else None
    if required and (path is None or not path.is_file()):
        raise ConfigError(f"--env-file {env_file}: no such file")
    try:
        settings = Settings(_env_file=path, **overrides)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc)) from None
    found = path is not None and path.is_file()
    return settings.with_base(path.resolve().parent if found and path else Path.cwd())


def describe_validation_error(exc: ValidationError) -> str:
    """Turn pydantic's report into one line naming the environment variable."""
    first = exc.errors()[0]
    name = str(first["loc"][0]).upper() if first["loc"] else ""
    message = str(first["msg"]).removeprefix("Value error, ")
    if ":" in message and message.split(":", 1)[0].isupper():
        return message  # the validator already named the variable
    return f"{name}: {message}" if name else message
