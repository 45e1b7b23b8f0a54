"""SMART EHR launch: Careverse opens a registered app with the patient in context.

A person viewing a patient asks to launch an app (:meth:`Launches.start`): the one access policy
decides whether they may see that patient (audited either way), then a short-lived, single-use,
opaque ``launch`` handle is stored (its SHA-256 only) bound to the app, the person and the
patient, and the browser goes to the app's registered ``launch_url`` with ``iss`` (the FHIR base)
and ``launch``. The app then sends the person to ``/oauth/authorize`` with the ``launch`` scope
and that handle: the consent names the patient, the handle is spent when the person decides, and
the token answer carries ``patient``. The patient id never appears in a URL.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.smart_models import SmartApp, SmartLaunch
from careverse.kernel import audit, clock, tokens
from careverse.kernel.actor import Actor, Role, require_full_scope, require_role
from careverse.kernel.config import Settings
from careverse.kernel.errors import NotFound
from careverse.kernel.policy import Category, authorize
from careverse.kernel.uow import unit_of_work

LAUNCH_TTL = timedelta(minutes=5)
HANDLE_PREFIX = "cvl"


def with_query(uri: str, **params: str | None) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{uri}{'&' if urlsplit(uri).query else '?'}{query}"


def web_address(uri: str) -> bool:
    """An app's address: https (http only on localhost), with a host, no user, no #fragment."""
    try:
        parts = urlsplit(uri)
        local = parts.hostname in ("localhost", "127.0.0.1")
    except ValueError:
        return False
    return (
        len(uri) <= 2000
        and not parts.fragment
        and bool(parts.netloc)
        and "@" not in parts.netloc
        and (parts.scheme == "https" or (parts.scheme == "http" and local))
    )


def fhir_base(settings: Settings) -> str:
    """The ``iss`` of a launch and the ``aud`` an app names: the FHIR base URL."""
    return f"{settings.public_url.rstrip('/')}/fhir"


class LaunchRefused(Exception):
    """The ``launch`` handle is unknown, for another app or person, spent or expired."""


class Launches:
    """Launch handles: made by a person viewing a patient, spent by the consent."""

    def __init__(self, session: AsyncSession, settings: Settings):
        self.session = session
        self.settings = settings

    async def launchable(self, actor: Actor) -> list[SmartApp]:
        """The active apps with a launch URL (not backend clients), by name."""
        require_full_scope(actor)
        require_role(actor, Role.PATIENT, Role.CAREGIVER, Role.CLINICIAN)
        query = (
            select(SmartApp)
            .where(
                SmartApp.is_active.is_(True),
                SmartApp.launch_url.is_not(None),
                SmartApp.jwks.is_(None),
                SmartApp.jwks_url.is_(None),
            )
            .order_by(SmartApp.name)
        )
        return list((await self.session.scalars(query)).all())

    async def start(self, actor: Actor, app_id: uuid.UUID, patient_id: uuid.UUID) -> str:
        """Launch ``app_id`` for ``patient_id``; answers the address to open (the app's
        ``launch_url`` with ``iss`` and ``launch``). 404 if the person may not see the patient."""
        require_full_scope(actor)
        require_role(actor, Role.PATIENT, Role.CAREGIVER, Role.CLINICIAN)
        app = await self.session.get(SmartApp, app_id)
        if app is None or not app.is_active or not app.launch_url or app.is_backend:
            raise NotFound("No such app to launch.")
        handle = tokens.new_secret(HANDLE_PREFIX)
        async with unit_of_work(self.session):
            await authorize(self.session, actor, patient_id, Category.RECORD,
                            resource_type="Patient")  # fmt: skip
            self.session.add(
                SmartLaunch(
                    handle_hash=tokens.digest(handle), app_id=app.id,
                    account_id=actor.account_id, patient_id=patient_id,
                    expires_at=clock.now() + LAUNCH_TTL,
                )
            )  # fmt: skip
            audit.record(self.session, "smart-app.launch", actor=actor, patient_id=patient_id,
                         resource_type="SmartApp", resource_id=app.id,
                         detail={"smart_app": app.name})  # fmt: skip
        return with_query(app.launch_url, iss=fhir_base(self.settings), launch=handle)

    async def find(self, app: SmartApp, handle: str, actor: Actor | None = None) -> SmartLaunch:
        """The live launch of ``handle`` for ``app`` (and, once known, made by ``actor``)."""
        launch = await self.session.scalar(
            select(SmartLaunch).where(SmartLaunch.handle_hash == tokens.digest(handle))
        )
        if (
            launch is None
            or launch.app_id != app.id
            or launch.used_at is not None
            or clock.as_utc(launch.expires_at) <= clock.now()
            or (actor is not None and launch.account_id != actor.account_id)
        ):
            raise LaunchRefused()
        return launch

    async def spend(self, launch: SmartLaunch) -> None:
        """Mark the launch used, once: a second consent with the same handle is refused."""
        spent = await self.session.execute(
            update(SmartLaunch)
            .where(SmartLaunch.id == launch.id, SmartLaunch.used_at.is_(None))
            .values(used_at=clock.now())
            .execution_options(synchronize_session=False)
        )
        if spent.rowcount != 1:  # pyright: ignore[reportAttributeAccessIssue]
            raise LaunchRefused()
