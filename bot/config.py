"""Typed configuration: ``config.yaml`` overridden by environment variables.

The file is parsed once into a frozen object that is passed to whatever needs it; nothing reads
the file or the environment anywhere else. Secrets (the bot token) come only from the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.desk.settings import DeskSettings
from bot.intake.hours import ConsultationHours
from bot.intake.settings import ReminderSettings, RequestSettings
from bot.languages import LANGUAGES
from bot.privacy.settings import PrivacySettings

DEFAULT_CONFIG_NAME = "config.yaml"
CONFIG_ENV = "CONSULT_BOT_CONFIG"


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file and the field."""


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LanguageSettings(_Frozen):
    default: str = "de"
    # Messages with fewer words than this keep the user's language unless the script decides.
    short_message_words: int = Field(default=3, ge=1, le=20)
    # Below this confidence the detector keeps the user's language.
    min_confidence: float = Field(default=0.8, ge=0.0, le=1.0)

    @field_validator("default")
    @classmethod
    def _supported(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"must be one of {', '.join(LANGUAGES)}")
        return value


CONFIDENCE_FEATURES = 14  # bot.matching.matcher.FEATURES


class RankerSettings(_Frozen):
    """The learned ranker (bot/matching/ranker.py): how it is trained and how much it counts."""

    # Share of the learned ranker's score in an entry's combined score (the rest: word, char,
    # phrase and fuzzy evidence).
    weight: float = Field(default=0.5, ge=0, le=1)
    # Training (changing these retrains at the next start).
    c: float = Field(default=1.0, gt=0)
    neighbours: int = Field(default=12, ge=1)
    sample: int = Field(default=1000, ge=0)
    prune: float = Field(default=0.1, ge=0)
    transliterate: bool = True


class MatchingSettings(_Frozen):
    """Weights and thresholds of the matcher, calibrated on the development set."""

    word_weight: float = Field(default=0.35, ge=0)
    char_weight: float = Field(default=0.25, ge=0)
    fuzzy_weight: float = Field(default=0.40, ge=0)
    phrase_weight: float = Field(default=0.0, ge=0)
    # What unrelated texts typically reach on each scale; rescaled to 0 (see matcher.py).
    char_floor: float = Field(default=0.0, ge=0, lt=1)
    fuzzy_floor: float = Field(default=0.0, ge=0, lt=1)
    other_language_factor: float = Field(default=0.9, gt=0, le=1)
    # Logistic model of "the best candidate is right", over matcher.FEATURES
    # (bias, top score, margin to the second, known share, word, char, phrase, fuzzy,
    # lead of the closest out-of-scope example over the best entry).
    # Then the learned ranker's view: its best entry's score, its lead over its second, whether
    # it agrees with the combined best, its score for the combined best, and the lead of its
    # best out-of-scope class over its best entry.
    confidence: tuple[float, ...] = (
        -6.0, 6.0, 4.0, 3.0, 0.0, 0.0, 0.0, 0.0, -4.0, 0.0, 0.0, 0.0, 0.0, 0.0,
    )  # fmt: skip
    ranker: RankerSettings = RankerSettings()
    # An out-of-scope example must lead the best entry by this much to make the answer "none".
    negative_margin: float = Field(default=0.0, ge=-1, le=1)
    # Confidence needed to answer, and to offer choices ("did you mean") instead of "none".
    answer_threshold: float = Field(default=0.6, ge=0, le=1)
    clarify_threshold: float = Field(default=0.3, ge=0, le=1)
    # A direct answer also needs this lead over the second entry; a tie always asks.
    answer_margin: float = Field(default=0.02, ge=0, le=1)
    clarify_window: float = Field(default=0.12, ge=0, le=1)
    max_alternatives: int = Field(default=3, ge=1, le=5)
    candidates: int = Field(default=12, ge=3, le=100)
    max_query_chars: int = Field(default=600, ge=50, le=4096)

    @model_validator(mode="after")
    def _ordered(self) -> MatchingSettings:
        if self.clarify_threshold > self.answer_threshold:
            raise ValueError("clarify_threshold must not be above answer_threshold")
        if len(self.confidence) != CONFIDENCE_FEATURES:
            raise ValueError(f"confidence needs {CONFIDENCE_FEATURES} numbers (see matcher.py)")
        return self


class TelegramSettings(_Frozen):
    token: str | None = None
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    staff_chat_id: int | None = None
    rate_limit: bool = True
    max_retries: int = Field(default=5, ge=0, le=20)
    # Updates handled at once (different chats; one chat's updates stay in order).
    concurrent_updates: int = Field(default=64, ge=1, le=1024)
    # HTTP connections to the Bot API (one per request in flight; too few and requests queue).
    connection_pool: int = Field(default=64, ge=1, le=1024)
    # Seconds to wait for the Bot API's answer to a request (not getUpdates) before retrying.
    read_timeout: float = Field(default=15.0, gt=0, le=300)
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_url: str | None = None
    webhook_path: str = "telegram"
    webhook_secret: str | None = None


class Settings(_Frozen):
    """The whole configuration. Relative paths are resolved against the config file's folder."""

    knowledge_dir: Path = Path("knowledge")
    data_dir: Path = Path("data")
    database_url: str | None = None
    languages: LanguageSettings = LanguageSettings()
    matching: MatchingSettings = MatchingSettings()
    telegram: TelegramSettings = TelegramSettings()
    consultation: ConsultationHours = ConsultationHours()
    reminders: ReminderSettings = ReminderSettings()
    requests: RequestSettings = RequestSettings()
    desk: DeskSettings = DeskSettings()
    privacy: PrivacySettings = PrivacySettings()

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'consult-bot.db').as_posix()}"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"


# Environment variable -> dotted path in the settings.
ENV_OVERRIDES: Mapping[str, tuple[str, ...]] = {
    "TELEGRAM_BOT_TOKEN": ("telegram", "token"),
    "TELEGRAM_BASE_URL": ("telegram", "base_url"),
    "TELEGRAM_BASE_FILE_URL": ("telegram", "base_file_url"),
    "STAFF_CHAT_ID": ("telegram", "staff_chat_id"),
    "TELEGRAM_WEBHOOK_URL": ("telegram", "webhook_url"),
    "TELEGRAM_WEBHOOK_SECRET": ("telegram", "webhook_secret"),
    "DATABASE_URL": ("database_url",),
    "CONSULT_BOT_DATA_DIR": ("data_dir",),
    "CONSULT_BOT_KNOWLEDGE_DIR": ("knowledge_dir",),
}


PATH_FIELDS = (("knowledge_dir",), ("data_dir",))


def find_config_file(explicit: str | Path | None = None) -> Path | None:
    """The config file to use: explicit path, $CONSULT_BOT_CONFIG, or ./config.yaml if present."""
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    candidate = Path.cwd() / DEFAULT_CONFIG_NAME
    return candidate if candidate.exists() else None


def load_settings(
    path: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Read the config file (if any), apply environment overrides and validate."""
    environ = os.environ if environ is None else environ
    config_path = find_config_file(path)
    raw: dict[str, Any] = {}
    base = Path.cwd()
    if config_path is not None:
        raw = _read_yaml(config_path)
        base = config_path.resolve().parent
        if isinstance(raw.get("telegram"), dict) and "token" in raw["telegram"]:
            raise ConfigError(
                f"{config_path}: telegram.token: the bot token belongs in the environment "
                "(TELEGRAM_BOT_TOKEN), not in a file that may be shared or committed"
            )
    from_env: dict[tuple[str, ...], str] = {}
    for name, dotted in ENV_OVERRIDES.items():
        value = environ.get(name)
        if value not in (None, ""):
            if dotted in PATH_FIELDS:  # a path in the environment is relative to where one is
                value = os.path.abspath(value)
            _set_path(raw, dotted, value)
            from_env[dotted] = name
    where = str(config_path) if config_path else "configuration"
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(where, exc, from_env)) from None
    return _resolve_paths(settings, base)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"config file not found: {path} (given by --config or {CONFIG_ENV}); "
            "give the path of the project's config.yaml"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of settings")
    return data


def _set_path(raw: dict[str, Any], dotted: tuple[str, ...], value: str) -> None:
    node = raw
    for key in dotted[:-1]:
        node = node.setdefault(key, {})
    node[dotted[-1]] = value


def _describe(where: str, exc: ValidationError, from_env: Mapping[tuple[str, ...], str]) -> str:
    """One line per bad value, blaming the environment variable when it came from there."""
    in_file: list[str] = []
    in_env: list[str] = []
    for err in exc.errors():
        loc = tuple(str(p) for p in err["loc"])
        name = next((n for dotted, n in from_env.items() if loc[: len(dotted)] == dotted), None)
        if name is not None:
            in_env.append(f"environment variable {name}: {err['msg']}; correct or unset it")
        else:
            in_file.append(f"  {'.'.join(loc)}: {err['msg']}")
    if in_file:
        in_env.insert(0, "\n".join([f"{where}: invalid configuration", *in_file]))
    return "\n".join(in_env)


def _resolve_paths(settings: Settings, base: Path) -> Settings:
    def absolute(p: Path) -> Path:
        return p if p.is_absolute() else (base / p)

    return settings.model_copy(
        update={
            "knowledge_dir": absolute(settings.knowledge_dir),
            "data_dir": absolute(settings.data_dir),
        }
    )
