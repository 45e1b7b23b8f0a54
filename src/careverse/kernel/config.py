"""Settings: the only place Careverse reads its environment (``CAREVERSE_*``)."""

from __future__ import annotations

import ipaddress
import json
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Addresses or networks, from the environment as a comma-separated list or a JSON array.
Networks = Annotated[list[str], NoDecode]


class IceServer(BaseModel):
    """A STUN or TURN server for WebRTC calls, as the browser's ``RTCIceServer``."""

    urls: str | list[str]
    username: str | None = None
    credential: str | None = None


class CrisisResources(BaseModel):
    """What the crisis screen shows a patient, in one language (see docs/wellbeing.md)."""

    text: str = Field(min_length=1, max_length=2000)
    phone: str = Field(min_length=1, max_length=200)
    url: str | None = Field(default=None, max_length=500)


# A sensible text that is true anywhere; the phone is a placeholder each deployment replaces
# with its own crisis line (CAREVERSE_WELLBEING_CRISIS_RESOURCES).
DEFAULT_CRISIS_RESOURCES = {
    "en": CrisisResources(
        text="You are not alone, and help is available now. If you might act on thoughts of "
        "ending your life, or you are in danger, call your local emergency number or go to the "
        "nearest emergency department. You can also call a crisis line to talk to someone at "
        "any time of day or night.",
        phone="Crisis line: not set for this site - call your local emergency number",
    )
}


class ConcernResource(BaseModel):
    """One crisis resource of a community's message of concern (see docs/moderation.md)."""

    name: str = Field(min_length=1, max_length=200)
    contact: str = Field(min_length=1, max_length=200)
    url: str = Field(default="", max_length=500)


class CommunityConcern(BaseModel):
    """The message of concern a community writer sees when a post is held for crisis language."""

    message: str = Field(min_length=1, max_length=2000)
    resources: list[ConcernResource] = Field(min_length=1, max_length=10)


DEFAULT_COMMUNITY_CONCERN = {
    "en": CommunityConcern(
        message="Thank you for telling us how you feel. It sounds like you are going through "
        "something really painful, and you don't have to face it alone. Your post is safe with "
        "us: a member of our team will read it soon. If you might act on thoughts of ending your "
        "life or harming yourself or someone else, please contact someone now.",
        resources=[
            ConcernResource(
                name="Emergency services", contact="Call your local emergency number", url=""
            ),
            ConcernResource(
                name="Crisis line",
                contact="Not set for this site: call your local emergency number",
                url="",
            ),
        ],
    )
}


class Settings(BaseSettings):
    """Every setting of a Careverse node. Each field maps to ``CAREVERSE_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="CAREVERSE_", env_file=None, extra="ignore")

    data_dir: Path = Field(
        default=Path("./var"), description="SQLite database and generated key material"
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy async URL; default is SQLite under data_dir"
    )
    redis_url: str | None = Field(default=None, description="Redis for the shared bus and presence")
    mqtt_url: str | None = Field(default=None, description="MQTT broker for device readings")
    public_url: str = Field(
        default="http://127.0.0.1:8000", description="Base URL used in e-mailed links"
    )

    encryption_keys: str | None = Field(
        default=None,
        description="Key ring 'kid:base64key,...' (first is primary) plus 'index:base64key'; "
        "default: a key file in data_dir",
    )
    encryption_key_file: Path | None = Field(
        default=None, description="Path of a key ring JSON file"
    )

    access_token_ttl_seconds: int = Field(default=15 * 60, ge=30)
    refresh_token_ttl_seconds: int = Field(default=30 * 24 * 3600, ge=60)
    refresh_reuse_grace_seconds: int = Field(
        default=30,
        ge=0,
        le=120,
        description="How long the refresh token just rotated away may still be exchanged (once "
        "per rotation): a browser whose refresh answer was lost to a navigation, or a second tab "
        "that refreshed at the same moment, is not taken for a thief. 0 turns the grace off",
    )
    mfa_required: bool = Field(default=False, description="Clinicians and admins must use TOTP")
    login_window_seconds: int = Field(default=15 * 60, ge=1)
    login_max_failures_per_account: int = Field(
        default=5,
        ge=1,
        description="Failed sign-ins to one account from one address before that address waits",
    )
    login_lockout_seconds: int = Field(
        default=60,
        ge=1,
        description="The first wait; it doubles with each further failure, up to the window",
    )
    login_max_failures_per_account_all_addresses: int = Field(
        default=100, ge=1, description="Failed sign-ins to one account from all addresses"
    )
    login_max_failures_per_address: int = Field(default=20, ge=1)
    password_reset_ttl_seconds: int = Field(default=3600, ge=60)

    break_glass_minutes: int = Field(default=60, ge=1, le=24 * 60)
    erasure_grace_days: int = Field(default=30, ge=0)
    erasure_check_seconds: int = Field(default=3600, ge=10)

    world_tick_hz: float = Field(
        default=20.0,
        ge=2,
        le=30,
        description="Realtime ticks per second (a pose waits at most one tick)",
    )
    world_aoi_radius: float = Field(
        default=25.0, ge=2, le=500, description="Area of interest, metres"
    )
    world_grace_seconds: float = Field(
        default=20.0, ge=0, le=600, description="Reconnect grace period"
    )
    ws_compression: bool = Field(
        default=False,
        description="permessage-deflate on WebSockets: world deltas shrink to about a sixth, but "
        "compressing every client's delta costs more server CPU than the world tick itself "
        "(docs/performance.md)",
    )
    ice_servers: list[IceServer] = Field(
        default_factory=list,
        description='STUN/TURN servers for calls, JSON: [{"urls": "turn:turn.example.org:3478"}]; '
        "empty connects people who can reach each other directly (a LAN, localhost)",
    )
    turn_secret: str | None = Field(
        default=None,
        description="coturn's static-auth-secret: TURN servers in ice_servers without a username "
        "get time-limited credentials per person (the TURN REST scheme)",
    )

    news2_window_minutes: float = Field(
        default=60,
        gt=0,
        le=24 * 60,
        description="NEWS2 uses each vital sign's latest reading this recent",
    )
    news2_observation_hours: float = Field(
        default=12,
        gt=0,
        le=72,
        description="NEWS2 uses a clinician's ACVPU/oxygen observation this recent",
    )
    alert_escalation_minutes: float = Field(
        default=15, gt=0, description="Escalate an alert nobody acknowledged within this time"
    )
    alert_oncall_account_id: str | None = Field(
        default=None,
        description="Clinician account escalations go to (default: another care-team one)",
    )
    alert_auto_resolve: bool = Field(
        default=False, description="Resolve an alert by itself when its condition clears"
    )
    alert_check_seconds: float = Field(
        default=30, ge=0.05, description="How often the no-data and escalation checks run"
    )
    alert_stream_ping_seconds: float = Field(
        default=15, gt=0, description="Keep-alive comment interval of the alert event stream"
    )
    alert_webhook_url: str | None = Field(
        default=None, description="Paging webhook: POSTs signed alert notices (ids only) here"
    )
    alert_webhook_secret: str | None = Field(
        default=None, description="HMAC-SHA256 key signing the paging webhook's requests"
    )

    care_cancel_notice_hours: float = Field(
        default=2.0,
        ge=0,
        le=168,
        description="Patients cancelling later than this must leave a note",
    )
    care_booking_horizon_days: int = Field(
        default=90, ge=1, le=730, description="How far ahead to book"
    )
    care_slot_step_minutes: int = Field(
        default=15, ge=5, le=120, description="Spacing of offered slots"
    )
    care_check_in_minutes: int = Field(
        default=30, ge=0, le=120, description="Check-in opens this early (minutes before)"
    )
    care_reminder_lead_minutes: int = Field(default=60, ge=1, description="Reminder before a visit")
    care_reminder_check_seconds: float = Field(
        default=60, ge=1, description="Interval of the reminder and lapsed-invitation jobs"
    )
    care_relationship_days: int = Field(
        default=30, ge=0, description="Days a booking's care relationship lasts after the visit"
    )

    messaging_attachment_max_bytes: int = Field(
        default=900 * 1024,
        ge=1024,
        description="Largest attachment of a secure message (PDF, PNG or JPEG), refused with 413; "
        "keep it below max_body_bytes, which bounds the whole upload",
    )

    wellbeing_crisis_resources: dict[str, CrisisResources] = Field(
        default_factory=lambda: dict(DEFAULT_CRISIS_RESOURCES),
        min_length=1,
        description='Crisis resources by language, JSON: {"en": {"text": "...", "phone": '
        '"...", "url": "..."}}; shown whenever a questionnaire takes the crisis path (the path '
        'itself is not a setting). "en" is the fallback language.',
    )
    community_concern: dict[str, CommunityConcern] = Field(
        default_factory=lambda: dict(DEFAULT_COMMUNITY_CONCERN),
        min_length=1,
        description="The message of concern and crisis resources a community writer sees when "
        'a post is held for crisis language, by language, JSON: {"en": {"message": "...", '
        '"resources": [{"name": "...", "contact": "...", "url": "..."}]}}. "en" is the fallback.',
    )
    wellbeing_reminder_check_seconds: float = Field(
        default=60, ge=1, description="Interval of the questionnaire reminder job"
    )
    community_crisis_check_seconds: float = Field(
        default=30, ge=1, description="Interval of the community crisis escalation job"
    )
    community_digest_check_seconds: float = Field(
        default=600, ge=1, description="Interval of the community e-mail digest job"
    )
    fhir_bulk_check_seconds: float = Field(
        default=5, ge=0.05, description="How often a node looks for FHIR bulk exports to run"
    )
    fhir_bulk_expiry_hours: float = Field(
        default=24,
        gt=0,
        le=720,
        description="FHIR bulk export files are deleted this long after the kick-off",
    )

    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    smtp_from: str = "Careverse <no-reply@careverse.local>"

    trusted_proxies: Networks = Field(
        default_factory=list,
        description="Proxies whose X-Forwarded-For/-Proto are believed (addresses or CIDRs, "
        "comma-separated); empty: the client address is the connecting peer's",
    )
    max_body_bytes: int = Field(
        default=1 << 20, ge=1024, description="Largest request body, refused with 413 unread"
    )
    max_bulk_body_bytes: int = Field(
        default=8 << 20,
        ge=1024,
        description="Largest body of the bulk endpoints: readings batches and FHIR Bundles",
    )
    max_header_bytes: int = Field(
        default=16 << 10, ge=1024, description="Largest request line and headers of a request"
    )
    header_timeout_seconds: float = Field(
        default=10, gt=0, description="Time a connection has to send a complete request head"
    )
    keep_alive_seconds: int = Field(
        default=5, ge=1, description="An idle keep-alive connection is closed after this"
    )
    ops_networks: Networks = Field(
        default_factory=lambda: ["127.0.0.1", "::1"],
        description="Addresses or CIDRs that may read /metrics (and the API docs when "
        "api_docs is 'ops') without the operations token",
    )
    ops_token: str | None = Field(
        default=None,
        description="Bearer token that opens /metrics (and 'ops' API docs) from any address",
    )
    api_docs: Literal["public", "ops", "off"] = Field(
        default="public",
        description="/docs, /redoc and /openapi.json: for everyone, for the operations "
        "network or token only, or not served; production: 'ops' or 'off'",
    )

    translation_models_dir: str | None = Field(
        default=None,
        description="Folder of Argos Translate .argosmodel files for chat translation "
        "(docs/i18n.md); unset: the glossary-only translator",
    )

    migrate_on_start: bool = True
    log_level: str = "INFO"
    log_json: bool = True

    @field_validator(
        "database_url", "redis_url", "mqtt_url", "alert_oncall_account_id", "alert_webhook_url",
        "alert_webhook_secret", mode="before",
    )  # fmt: skip
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return value or None

    @field_validator("trusted_proxies", "ops_networks", mode="before")
    @classmethod
    def _networks(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip()
            if value.startswith("["):
                return json.loads(value)
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("trusted_proxies", "ops_networks")
    @classmethod
    def _valid_networks(cls, value: list[str]) -> list[str]:
        for item in value:
            ipaddress.ip_network(item, strict=False)  # a ValueError names the bad entry
        return value

    @field_validator("ops_token", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: object) -> object:
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
