"""Chat translation for the people reading it: ``POST /api/translate`` answers a chat line or
message in the reader's language (their account's ``preferred_language`` unless ``target`` is
given), machine-made and marked so, with the original beside it; ``translation`` is null when
no engine handles the pair (docs/i18n.md). The text is the caller's own screen's: nothing is
stored, logged or audited here (reading the message itself was)."""

from __future__ import annotations

from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity import directory
from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor
from careverse.kernel.actor import require_full_scope
from careverse.kernel.config import Settings
from careverse.kernel.deps import get_session, get_settings
from careverse.kernel.translation import language, translators

router = APIRouter(prefix="/api", tags=["messaging"])


class TranslateIn(BaseModel):
    text: str = Field(min_length=1, max_length=4000)
    target: str | None = Field(default=None, max_length=35, description="BCP 47; default: yours")
    source: str | None = Field(default=None, max_length=35, description="BCP 47; default: guessed")


class TranslationOut(BaseModel):
    text: str
    original: str
    machine: bool
    engine: str
    source: str
    target: str


class TranslateOut(BaseModel):
    target: str | None
    translation: TranslationOut | None


@router.post("/translate", response_model=TranslateOut, responses=ERRORS)
async def translate(
    body: TranslateIn,
    actor: CurrentActor,
    session: Annotated[AsyncSession, Depends(get_session)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> TranslateOut:
    require_full_scope(actor)
    target = body.target
    if target is None:
        account = await directory.account(session, actor.account_id)
        target = account.preferred_language if account else None
    if language(target) is None:
        return TranslateOut(target=target, translation=None)
    engines = translators(settings.translation_models_dir)
    found = await to_thread.run_sync(engines.translate, body.text, body.source, target or "")
    out = TranslationOut(**found.__dict__) if found else None
    return TranslateOut(target=target, translation=out)
