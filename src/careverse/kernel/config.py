"""Settings: the only place Careverse reads its environment (``CAREVERSE_*``)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting of a Careverse node. Each field maps to ``CAREVERSE_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="CAREVERSE_", env_file=None, extra="ignore")

    data_dir: Path = Field(Path("./var"), description="SQLite database and generated key material")
    database_url: str | None = Field(
        None, description="SQLAlchemy async URL; default is SQLite under data_dir"
    )
    redis_url: str | None = Field(None, description="Redis for the shared bus and presence")
    mqtt_url: str | None = Field(None, description="MQTT broker for device readings")
    public_url: str = Field("http://127.0.0.1:8000", description="Base URL used in e-mailed links")

    encryption_keys: str | None = Field(
        None,
        description="Key ring 'kid:base64key,...' (first is primary) plus 'index:base64key'; "
        "default: a key file in data_dir",
    )
    encryption_key_file: Path | None = Field(None, description="Path of a key ring JSON file")

    access_token_ttl_seconds: int = Field(15 * 60, ge=30)
    refresh_token_ttl_seconds: int = Field(30 * 24 * 3600, ge=60)
    mfa_required: bool = Field(False, description="Clinicians and admins must use TOTP")
    login_window_seconds: int = Field(15 * 60, ge=1)
    login_max_failures_per_account: int = Field(5, ge=1)
    login_max_failures_per_address: int = Field(20, ge=1)
    password_reset_ttl_seconds: int = Field(3600, ge=60)

    break_glass_minutes: int = Field(60, ge=1, le=24 * 60)
    erasure_grace_days: int = Field(30, ge=0)
    erasure_check_seconds: int = Field(3600, ge=10)

    world_tick_hz: float = Field(10.0, ge=2, le=30, description="Realtime ticks per second")
    world_aoi_radius: float = Field(25.0, ge=2, le=500, description="Area of interest, metres")
    world_grace_seconds: float = Field(20.0, ge=0, le=600, description="Reconnect grace period")

    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    smtp_from: str = "Careverse <no-reply@careverse.local>"

    migrate_on_start: bool = True
    log_level: str = "INFO"
    log_json: bool = True

    @field_validator("database_url", "redis_url", "mqtt_url", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return value or None

    @cached_property
    def effective_database_url(self) -> str:
        """The database URL in use: the configured one, or SQLite inside ``data_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'careverse.db').resolve()}"

    @property
    def uses_postgresql(self) -> bool:
        return self.effective_database_url.startswith("postgresql")
