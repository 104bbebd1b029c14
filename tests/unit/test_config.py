"""Configuration: file, environment overrides, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={})
    assert settings.telegram.base_url == "https://api.telegram.org/bot"
    assert (
        settings.effective_database_url
        == f"sqlite:///{(tmp_path / 'data' / 'consult-bot.db').as_posix()}"
    )


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("telegram:\n  base_url: http://file/bot\n", encoding="utf-8")
    env = {
        "TELEGRAM_BASE_URL": "http://127.0.0.1:9999/bot",
        "TELEGRAM_BOT_TOKEN": "123:abc",
        "DATABASE_URL": "postgresql+psycopg://127.0.0.1/test",
        "STAFF_CHAT_ID": "-100123",
    }
    settings = load_settings(path, environ=env)
    assert settings.telegram.base_url == "http://127.0.0.1:9999/bot"
    assert settings.telegram.token == "123:abc"
    assert settings.telegram.staff_chat_id == -100123
    assert settings.effective_database_url == "postgresql+psycopg://127.0.0.1/test"


def test_relative_paths_follow_the_file(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "config.yaml"
    path.parent.mkdir()
    path.write_text("knowledge_dir: kb\n", encoding="utf-8")
    assert load_settings(path, environ={}).knowledge_dir == tmp_path / "conf" / "kb"


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("matching:\n  answer_threshold: 2\n", "matching.answer_threshold"),
        ("languages:\n  default: xx\n", "languages.default"),
        ("colour: blue\n", "colour"),
        ("matching:\n  answer_threshold: 0.3\n  clarify_threshold: 0.5\n", "matching"),
    ],
)
def test_bad_values_name_file_and_field(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={})
    assert str(path) in str(caught.value)
    assert field in str(caught.value)


def test_broken_yaml(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("matching: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(path, environ={})


def test_a_token_in_the_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("telegram:\n  token: '123:secret'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN"):
        load_settings(path, environ={})


def test_a_bad_environment_variable_is_named_as_such(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("telegram:\n  rate_limit: true\n")
    with pytest.raises(ConfigError) as err:
        load_settings(config, environ={"STAFF_CHAT_ID": "abc"})
    message = str(err.value)
    assert message.startswith("environment variable STAFF_CHAT_ID: ")
    assert "config.yaml" not in message and len(message.splitlines()) == 1


def test_paths_from_the_environment_are_relative_to_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "conf").mkdir()
    config = tmp_path / "conf" / "config.yaml"
    config.write_text("data_dir: data\n")
    monkeypatch.chdir(tmp_path)
    settings = load_settings(config, environ={"CONSULT_BOT_KNOWLEDGE_DIR": "kb"})
    assert settings.knowledge_dir == tmp_path / "kb"
    assert settings.data_dir == tmp_path / "conf" / "data"
