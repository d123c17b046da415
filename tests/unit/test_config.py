"""Settings: environment names, defaults, normalisation, and one-line errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings, load_settings
from bot.errors import ConfigError

VARIABLES = [
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_BASE_URL",
    "TELEGRAM_FILE_BASE_URL",
    "TELEGRAM_PROXY",
    "DATABASE_URL",
    "DATA_DIR",
    "OFFICE_ADMIN_IDS",
    "TIMEZONE",
    "LANGUAGE",
    "REMINDER_TICK_SECONDS",
    "BULLETIN_TITLE",
    "ARCHIVE_FONDS",
    "ARCHIVE_REFERENCE",
    "ARCHIVE_RETENTION",
    "BULLETIN_OFFICE",
    "BULLETIN_TO",
    "BULLETIN_CC",
    "BULLETIN_DISTRIBUTE",
    "TRANSPORT",
    "WECOM_CORP_ID",
    "WECOM_AGENT_ID",
    "WECOM_SECRET",
    "WECOM_TOKEN",
    "WECOM_ENCODING_AES_KEY",
    "WECOM_API_BASE_URL",
    "WECOM_CALLBACK_PATH",
    "WECOM_CALLBACK_LISTEN",
    "WECOM_CALLBACK_PORT",
    "WECOM_ADMIN_USERIDS",
    "WECOM_CARDS",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "WEBHOOK_LISTEN",
    "WEBHOOK_PORT",
    "WEB_LISTEN",
    "WEB_PORT",
    "WEB_BASE_URL",
]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_defaults_need_no_environment() -> None:
    settings = load_settings(None)
    assert settings.database_url == f"sqlite:///{Path.cwd() / 'data' / 'liaison.db'}"
    assert settings.data_dir == Path.cwd() / "data"
    assert settings.telegram_api_base_url == "https://api.telegram.org/bot"
    assert settings.telegram_file_base_url == "https://api.telegram.org/file/bot"
    assert settings.timezone == "Asia/Shanghai"
    assert settings.language == "zh-CN"
    assert settings.office_admin_ids == ()
    assert not settings.webhook_mode


def test_reads_every_variable_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "42:abc_DEF-1")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:8081/bot")
    monkeypatch.setenv("TELEGRAM_FILE_BASE_URL", "http://127.0.0.1:8081/file/bot")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db/liaison")
    monkeypatch.setenv("DATA_DIR", "/srv/liaison")
    monkeypatch.setenv("OFFICE_ADMIN_IDS", " 11, 22，33, ")
    monkeypatch.setenv("TIMEZONE", "Asia/Urumqi")
    monkeypatch.setenv("LANGUAGE", "en")
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.org/tg/hook")
    monkeypatch.setenv("WEBHOOK_SECRET", "s3cret_token-1")
    monkeypatch.setenv("WEBHOOK_LISTEN", "127.0.0.1")
    monkeypatch.setenv("WEBHOOK_PORT", "9443")
    settings = load_settings(None)
    assert settings.require_token() == "42:abc_DEF-1"
    assert settings.telegram_api_base_url == "http://127.0.0.1:8081/bot"
    assert settings.database_url == "postgresql+psycopg://u:p@db/liaison"
    assert settings.data_dir == Path("/srv/liaison")
    assert settings.office_admin_ids == (11, 22, 33)
    assert str(settings.tz) == "Asia/Urumqi"
    assert settings.language == "en"
    assert settings.webhook_mode
    assert settings.webhook_path == "tg/hook"
    assert (settings.webhook_listen, settings.webhook_port) == ("127.0.0.1", 9443)


def test_env_file_is_read(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("TELEGRAM_BOT_TOKEN=7:from-file\nLANGUAGE=en\n", encoding="utf-8")
    settings = load_settings(env_file)
    assert settings.require_token() == "7:from-file"
    assert settings.language == "en"


def test_environment_wins_over_env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("LANGUAGE=en\n", encoding="utf-8")
    monkeypatch.setenv("LANGUAGE", "zh-CN")
    assert load_settings(env_file).language == "zh-CN"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TELEGRAM_BOT_TOKEN", "not a token"),
        ("TELEGRAM_API_BASE_URL", "api.telegram.org/bot"),
        ("DATABASE_URL", "mysql://root@localhost/x"),
        ("OFFICE_ADMIN_IDS", "12,abc"),
        ("TIMEZONE", "Beijing"),
        ("LANGUAGE", "fr"),
        ("WEBHOOK_URL", "bot.example.org"),
        ("WEBHOOK_PORT", "70000"),
    ],
)
def test_malformed_setting_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        load_settings(None)
    message = str(caught.value)
    assert message.startswith(f"{variable}: ")
    assert "\n" not in message


def test_webhook_without_secret_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.org/tg")
    with pytest.raises(ConfigError, match=r"^WEBHOOK_SECRET: required"):
        load_settings(None)


def test_webhook_secret_must_fit_telegram(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_SECRET", "has spaces")
    with pytest.raises(ConfigError, match=r"^WEBHOOK_SECRET: "):
        load_settings(None)


def test_missing_token_explains_where_to_get_one() -> None:
    with pytest.raises(ConfigError, match=r"^TELEGRAM_BOT_TOKEN: not set.*@BotFather"):
        Settings(_env_file=None).require_token()


def test_token_is_not_shown_in_repr() -> None:
    settings = Settings(_env_file=None, telegram_bot_token="99:very-secret")
    assert "very-secret" not in repr(settings)


def test_env_example_documents_every_setting_and_loads_as_is() -> None:
    example = Path(__file__).resolve().parents[2] / ".env.example"
    text = example.read_text(encoding="utf-8")
    for variable in VARIABLES:
        assert f"\n{variable}=" in text, f"{variable} is not documented in .env.example"
    assert set(VARIABLES) == {name.upper() for name in Settings.model_fields}
    settings = load_settings(example)
    assert settings.telegram_bot_token is None
    assert not settings.webhook_mode


def test_wecom_needs_its_settings_and_a_proper_key() -> None:
    with pytest.raises(ConfigError, match="WECOM_CORP_ID: required when TRANSPORT=wecom"):
        load_settings(None, transport="wecom")
    good: dict[str, Any] = {
        "transport": "both", "wecom_corp_id": "ww1", "wecom_agent_id": 1000002,
        "wecom_secret": "s", "wecom_token": "t",
        "wecom_encoding_aes_key": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
        "wecom_admin_userids": "wangfang, chenjing,",
    }  # fmt: skip
    settings = load_settings(None, **good)
    assert settings.uses_wecom and settings.uses_telegram
    assert settings.wecom_admin_userids == ("wangfang", "chenjing")
    with pytest.raises(ConfigError, match="WECOM_ENCODING_AES_KEY: must be the 43"):
        load_settings(None, **{**good, "wecom_encoding_aes_key": "short"})


def test_the_web_console_is_off_until_its_port_and_url_are_set() -> None:
    assert not load_settings(None).web_enabled
    assert not load_settings(None, web_port=0, web_base_url="https://x.example").web_enabled
    with pytest.raises(ConfigError, match="WEB_BASE_URL: required when WEB_PORT is set"):
        load_settings(None, web_port=8090)
    with pytest.raises(ConfigError, match="WEB_BASE_URL"):
        load_settings(None, web_port=8090, web_base_url="bot.example.org")
    settings = load_settings(None, web_port=8090, web_base_url="https://bot.example.org/console/")
    assert settings.web_enabled and settings.web_secure
    assert (settings.web_base_url, settings.web_root) == ("https://bot.example.org/console",
                                                          "/console")  # fmt: skip
    assert settings.web_listen == "127.0.0.1"  # behind the reverse proxy unless told otherwise
    plain = load_settings(None, web_port=8090, web_base_url="http://10.1.2.3:8090")
    assert plain.web_root == "" and not plain.web_secure


def test_relative_paths_are_taken_from_the_settings_file_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The documented base: the folder of the settings file, wherever the command runs."""
    office = tmp_path / "opt" / "liaison-bot"
    office.mkdir(parents=True)
    (office / ".env").write_text("DATABASE_URL=sqlite:///state/bot.db\nDATA_DIR=files\n")
    elsewhere = tmp_path / "home"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    settings = load_settings(office / ".env", required=True)
    assert settings.database_url == f"sqlite:///{office / 'state' / 'bot.db'}"
    assert settings.data_dir == office / "files"
    absolute = load_settings(None, database_url="sqlite:////srv/x.db", data_dir="/srv/data")
    assert (absolute.database_url, absolute.data_dir) == ("sqlite:////srv/x.db", Path("/srv/data"))
    assert load_settings(None, database_url="sqlite://").database_url == "sqlite://"
    without_file = load_settings(None)
    assert without_file.data_dir == elsewhere / "data"


def test_a_named_settings_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^--env-file .*nope\.env: no such file$"):
        load_settings(tmp_path / "nope.env", required=True)
    assert load_settings(tmp_path / "nope.env").language == "zh-CN"  # the default .env: optional


@pytest.mark.parametrize("path", ["wecom/callback", "/wecom/callback?x=1", "/we com"])
def test_the_callback_path_must_be_a_path(path: str) -> None:
    with pytest.raises(ConfigError, match=r"^WECOM_CALLBACK_PATH: must be a URL path starting"):
        load_settings(None, wecom_callback_path=path)


def test_webhook_and_callback_need_their_own_ports() -> None:
    wecom: dict[str, Any] = {
        "transport": "both", "wecom_corp_id": "ww1", "wecom_agent_id": 1000002,
        "wecom_secret": "s", "wecom_token": "t",
        "wecom_encoding_aes_key": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
        "webhook_url": "https://bot.example.org/tg", "webhook_secret": "abc",
    }  # fmt: skip
    with pytest.raises(ConfigError, match=r"^WECOM_CALLBACK_PORT: must differ from WEBHOOK_PORT"):
        load_settings(None, **wecom, webhook_port=8081, wecom_callback_port=8081)


def test_the_proxy_setting_and_the_secrets_to_mask() -> None:
    settings = load_settings(
        None, telegram_bot_token="42:abcdefghijk", telegram_proxy="http://me:pw0rd@10.0.0.1:3128",
        database_url="postgresql://u:dbpass@db/x", webhook_url="https://b.example/tg",
        webhook_secret="hook_secret",
    )  # fmt: skip
    assert settings.telegram_proxy == "http://me:pw0rd@10.0.0.1:3128"
    assert set(settings.secret_values()) == {"42:abcdefghijk", "hook_secret", "dbpass", "pw0rd"}
    with pytest.raises(ConfigError, match=r"^TELEGRAM_PROXY: must be a proxy URL"):
        load_settings(None, telegram_proxy="127.0.0.1:3128")
