from pathlib import Path

import pytest

from capwatch.settings import Settings

ENV_NAMES = [
    "CAPWATCH_DATABASE_URL",
    "CAPWATCH_DATA_DIR",
    "CAPWATCH_SOURCES_FILE",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_BASE_URL",
    "TELEGRAM_ALERT_CHAT_IDS",
    "TELEGRAM_ADMIN_CHAT_IDS",
]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


def test_defaults_use_the_embedded_database_and_the_console():
    settings = Settings()
    assert settings.database_url is None
    assert settings.data_dir.name == "capwatch"
    assert settings.bot_token is None
    assert settings.alert_targets == [0]
    assert settings.bot_api_base == "https://api.telegram.org/bot"


def test_environment_names_are_the_documented_ones(monkeypatch, tmp_path):
    monkeypatch.setenv("CAPWATCH_DATABASE_URL", "postgresql://u@db/capwatch")
    monkeypatch.setenv("CAPWATCH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CAPWATCH_SOURCES_FILE", str(tmp_path / "extra.toml"))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:" + "A" * 35)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:9999/")
    monkeypatch.setenv("TELEGRAM_ALERT_CHAT_IDS", "-1001, 42")
    monkeypatch.setenv("TELEGRAM_ADMIN_CHAT_IDS", "7")
    settings = Settings()
    assert settings.database_url == "postgresql://u@db/capwatch"
    assert settings.data_dir == tmp_path
    assert settings.sources_file == Path(tmp_path / "extra.toml")
    assert settings.bot_api_base == "http://127.0.0.1:9999/bot"
    assert settings.telegram_alert_chat_ids == [-1001, 42]
    assert settings.telegram_admin_chat_ids == [7]
    assert settings.alert_targets == [-1001, 42]
    assert "AAAA" not in repr(settings)  # the token is a secret, never printed


def test_a_token_without_chats_sends_nowhere_but_a_blank_token_means_console(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:" + "A" * 35)
    assert Settings().alert_targets == []
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "  ")
    assert Settings().alert_targets == [0]
