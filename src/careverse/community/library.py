"""The education library of a community (docs/community.md, "Health information quality").

Items are articles (Markdown, rendered and sanitised by :func:`text.render` exactly as posts),
infographics (an image checked by its bytes with ``filetype``, size-limited, with required alt
text and a long description) and short interactive modules with a quiz, scored on the server.

Authors are the site's verified clinicians who may read the community and its peer educators
(membership role ``educator``). An item starts as a draft; it is published only once reviewed by
a clinician (``reviewed_by``, ``last_reviewed_at``): a clinician's edit or publish reviews it, a
peer educator's edit of a published item returns it to draft until a clinician reviews it.
Members read published items; a member's latest quiz result is kept for them and erased with
their account. Creating, editing, reviewing and publishing are audited.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass

import filetype
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community.library_models import LibraryImage, LibraryItem, QuizResult
from careverse.community.members import community_for, readable
from careverse.community.models import Community, Membership
from careverse.community.quality import erase_marker
from careverse.identity import directory
from careverse.kernel import audit, clock
from careverse.kernel.errors import DomainError, Forbidden, InvalidInput, NotFound
from careverse.kernel.policy import Actor, Role
from careverse.kernel.uow import unit_of_work
from careverse.privacy.events import AccountErasureDue

KINDS = ("article", "infographic", "module")
EDUCATOR = "educator"  # the peer-educator community role
IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}
IMAGE_MAX_BYTES = 2 * 1024 * 1024


class ImageTooLarge(DomainError):
    status_code = 413
    code = "image_too_large"


class UnsupportedImage(DomainError):
    status_code = 415
    code = "unsupported_image"


@dataclass(frozen=True, slots=True)
class Feedback:
    right: bool
    chosen: list[int]
    correct: list[int]
    explanation: str


@dataclass(frozen=True, slots=True)
class Result:
    score: int
    total: int
    taken_at: object
    feedback: list[Feedback]


@dataclass(frozen=True, slots=True)
class ItemView:
    item: LibraryItem
    community: Community
    author: str | None
    reviewed_by: str | None
    can_edit: bool
    can_review: bool
    has_image: bool
    result: Result | None


def may_author(actor: Actor, membership: Membership | None) -> bool:
    if actor.role is Role.CLINICIAN:
        return True
    return membership is not None and membership.status == "active" and membership.role == EDUCATOR


def check_image(content: bytes, max_bytes: int = IMAGE_MAX_BYTES) -> str:
    """The image's type from its bytes (PNG, JPEG or WebP), or 413/415/422."""
    if not content:
        raise InvalidInput("The file is empty.", field="file")
    if len(content) > max_bytes:
        raise ImageTooLarge(f"The image is larger than {max_bytes // 1024} KB; use a smaller one.")
    kind = filetype.guess(content)
    if kind is None or kind.mime not in IMAGE_TYPES:
        raise UnsupportedImage("Only PNG, JPEG and WebP images can be used.")
    return kind.mime


def _checked(kind: str, body: str, alt_text: str, questions: list[dict]) -> None:
    if kind not in KINDS:
        raise InvalidInput("kind must be article, infographic or module.", field="kind")
    if kind == "article" and not body.strip():
        raise InvalidInput("An article needs a body.", field="body")
    if kind == "infographic":
        if not alt_text.strip():
            raise InvalidInput("An infographic needs alt text.", field="alt_text")
        if not body.strip():
            raise InvalidInput("An infographic needs a long description.", field="body")
    if kind == "module" and not questions:
        raise InvalidInput("A module needs at least one question.", field="questions")
    if kind != "module" and questions:
        raise InvalidInput("Only a module has questions.", field="questions")


def score(questions: list[dict], answers: list[list[int]]) -> tuple[int, list[Feedback]]:
    """The number of questions answered exactly right, and feedback for each."""
    if len(answers) != len(questions):
        raise InvalidInput(
            f"Answer all {len(questions)} questions, one list each.", field="answers"
        )
    feedback = []
    for q, chosen in zip(questions, answers, strict=True):
        if any(i >= len(q["options"]) for i in chosen) or len(set(chosen)) != len(chosen):
            raise InvalidInput("An answer names an option that does not exist.", field="answers")
        if not q.get("multiple") and len(chosen) > 1:
            raise InvalidInput("Choose one option for a single-answer question.", field="answers")
        right = set(chosen) == set(q["correct"])
        feedback.append(Feedback(right, sorted(chosen), list(q["correct"]), q["explanation"]))
    return sum(f.right for f in feedback), feedback


class LibraryService:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def _views(
        self,
        actor: Actor,
        community: Community,
        m: Membership | None,
        rows: list[LibraryItem],
        with_result: bool = False,
    ) -> list[ItemView]:
        ids = {i for r in rows for i in (r.author_id, r.reviewed_by) if i is not None}
        names = await directory.display_names(self.session, ids)
        editor = may_author(actor, m)
        views = []
        for r in rows:
            result = await self._result(actor, r) if with_result else None
            has_image = with_result and await self.session.get(LibraryImage, r.id) is not None
            views.append(
                ItemView(
                    r,
                    community,
                    names.get(r.author_id) if r.author_id else None,
                    names.get(r.reviewed_by) if r.reviewed_by else None,
                    editor,
                    editor and actor.role is Role.CLINICIAN,
                    has_image,
                    result,
                )
            )
        return views

    async def _result(self, actor: Actor, item: LibraryItem) -> Result | None:
        row = await self.session.get(QuizResult, (item.id, actor.account_id))
        if row is None or item.kind != "module":
            return None
        answers = json.loads(row.answers)
        try:
            _, feedback = score(item.questions, answers)
        except InvalidInput:  # the quiz changed since: the score stands, no feedback
            feedback = []
        return Result(row.score, row.total, row.taken_at, feedback)

    async def _item(self, actor: Actor, item_id: uuid.UUID):
        item = await self.session.get(LibraryItem, item_id)
        if item is None:
            raise NotFound("Not found.")
        community, m = await readable(self.session, actor, item.community_id)
        if item.state != "published" and not may_author(actor, m):
            raise NotFound("Not found.")
        return item, community, m

    def _require_author(self, actor: Actor, m: Membership | None) -> None:
        if not may_author(actor, m):
            raise Forbidden(
                "Only clinicians and this community's peer educators write here.",
                code="not_library_author",
            )

    # ---- reading ---------------------------------------------------------------------------

    async def items(self, actor: Actor, slug: str) -> tuple[list[ItemView], bool]:
        async with unit_of_work(self.session):
            c, _ = await community_for(self.session, actor, slug)
            c, m = await readable(self.session, actor, c.id)
            query = select(LibraryItem).where(LibraryItem.community_id == c.id)
            if not may_author(actor, m):
                query = query.where(LibraryItem.state == "published")
            rows = (
                await self.session.scalars(query.order_by(LibraryItem.updated_at.desc()).limit(200))
            ).all()
            return await self._views(actor, c, m, list(rows)), may_author(actor, m)

    async def item(self, actor: Actor, item_id: uuid.UUID) -> ItemView:
        async with unit_of_work(self.session):
            item, c, m = await self._item(actor, item_id)
            (view,) = await self._views(actor, c, m, [item], with_result=True)
        return view

    async def image(self, actor: Actor, item_id: uuid.UUID) -> tuple[str, bytes]:
        async with unit_of_work(self.session):
            item, _c, _m = await self._item(actor, item_id)
            row = await self.session.get(LibraryImage, item.id)
            if row is None:
                raise NotFound("Not found.")
            return row.content_type, base64.b64decode(row.content)

    async def _recorded(
        self,
        actor: Actor,
        c: Community,
        m: Membership | None,
        item: LibraryItem,
        action: str,
        detail: dict | None = None,
    ) -> ItemView:
        """Audit a change to ``item``, flush it and answer the item as ``actor`` now sees it."""
        audit.record(
            self.session,
            action,
            actor=actor,
            resource_type="LibraryItem",
            resource_id=item.id,
            detail=detail,
        )
        await self.session.flush()
        (view,) = await self._views(actor, c, m, [item], with_result=True)
        return view

    # ---- writing ---------------------------------------------------------------------------

    async def create(self, actor: Actor, slug: str, data: dict) -> ItemView:
        _checked(data["kind"], data["body"], data["alt_text"], data["questions"])
        async with unit_of_work(self.session):
            c, _ = await community_for(self.session, actor, slug)
            c, m = await readable(self.session, actor, c.id)
            self._require_author(actor, m)
            now = clock.now()
            item = LibraryItem(
                id=uuid.uuid4(),
                community_id=c.id,
                kind=data["kind"],
                state="draft",
                title=data["title"],
                summary=data["summary"],
                body=data["body"],
                alt_text=data["alt_text"],
                questions=data["questions"],
                author_id=actor.account_id,
                updated_at=now,
                created_at=now,
            )
            self._reviewed_by(actor, item)
            self.session.add(item)
            view = await self._recorded(
                actor, c, m, item, "community.library_create", {"kind": item.kind}
            )
        return view

    def _reviewed_by(self, actor: Actor, item: LibraryItem) -> None:
        if actor.role is Role.CLINICIAN:
            item.reviewed_by, item.last_reviewed_at = actor.account_id, clock.now()

    async def update(self, actor: Actor, item_id: uuid.UUID, data: dict) -> ItemView:
        _checked(data["kind"], data["body"], data["alt_text"], data["questions"])
        async with unit_of_work(self.session):
            item, c, m = await self._item(actor, item_id)
            self._require_author(actor, m)
            if data["kind"] != item.kind:
                raise InvalidInput("An item's kind cannot change.", field="kind")
            for key in ("title", "summary", "body", "alt_text", "questions"):
                setattr(item, key, data[key])
            item.updated_at = clock.now()
            if actor.role is Role.CLINICIAN:
                self._reviewed_by(actor, item)
            else:  # a peer educator's change waits for a clinician's review
                item.reviewed_by = None
                item.state = "draft"
            view = await self._recorded(
                actor, c, m, item, "community.library_edit", {"state": item.state}
            )
        return view

    async def set_state(self, actor: Actor, item_id: uuid.UUID, state: str) -> ItemView:
        """Publish (reviewed by a clinician: a clinician publishing reviews it) or withdraw."""
        if state not in ("draft", "published"):
            raise InvalidInput("state must be draft or published.", field="state")
        async with unit_of_work(self.session):
            item, c, m = await self._item(actor, item_id)
            self._require_author(actor, m)
            if state == "published":
                self._reviewed_by(actor, item)
                if item.reviewed_by is None:
                    raise Forbidden(
                        "A clinician must review this item before it is published.",
                        code="review_required",
                    )
                if (
                    item.kind == "infographic"
                    and await self.session.get(LibraryImage, item.id) is None
                ):
                    raise InvalidInput("Add the infographic's image first.", field="image")
                item.published_at = item.published_at or clock.now()
            item.state = state
            view = await self._recorded(
                actor, c, m, item, "community.library_state", {"state": state}
            )
        return view

    async def review(self, actor: Actor, item_id: uuid.UUID) -> ItemView:
        """A clinician confirms the item is current (reviewed by, last reviewed today)."""
        async with unit_of_work(self.session):
            item, c, m = await self._item(actor, item_id)
            if actor.role is not Role.CLINICIAN:
                raise Forbidden("Only clinicians review library items.", code="clinicians_only")
            self._reviewed_by(actor, item)
            view = await self._recorded(actor, c, m, item, "community.library_review")
        return view

    async def set_image(self, actor: Actor, item_id: uuid.UUID, content: bytes) -> ItemView:
        mime = check_image(content)
        async with unit_of_work(self.session):
            item, c, m = await self._item(actor, item_id)
            self._require_author(actor, m)
            if item.kind != "infographic":
                raise InvalidInput("Only an infographic has an image.", field="file")
            row = await self.session.get(LibraryImage, item.id)
            if row is None:
                row = LibraryImage(item_id=item.id)
                self.session.add(row)
            row.content_type, row.size = mime, len(content)
            row.content = base64.b64encode(content).decode("ascii")
            item.updated_at = clock.now()
            if actor.role is not Role.CLINICIAN:
                item.reviewed_by, item.state = None, "draft"
            view = await self._recorded(actor, c, m, item, "community.library_image")
        return view

    # ---- quizzes ---------------------------------------------------------------------------

    async def answer(self, actor: Actor, item_id: uuid.UUID, answers: list[list[int]]) -> Result:
        """Score the caller's answers on the server; their latest result is kept for them."""
        async with unit_of_work(self.session):
            item, _c, _m = await self._item(actor, item_id)
            if item.kind != "module":
                raise InvalidInput("This item has no quiz.", field="answers")
            points, feedback = score(item.questions, answers)
            row = await self.session.get(QuizResult, (item.id, actor.account_id))
            if row is None:
                row = QuizResult(item_id=item.id, account_id=actor.account_id)
                self.session.add(row)
            row.score, row.total, row.taken_at = points, len(item.questions), clock.now()
            row.answers = json.dumps(answers)
            await self.session.flush()
            return Result(points, len(item.questions), row.taken_at, feedback)

    async def forget_result(self, actor: Actor, item_id: uuid.UUID) -> None:
        async with unit_of_work(self.session):
            item, _c, _m = await self._item(actor, item_id)
            await self.session.execute(
                delete(QuizResult).where(
                    QuizResult.item_id == item.id, QuizResult.account_id == actor.account_id
                )
            )


async def erase_member_library(event: AccountErasureDue, session: AsyncSession) -> None:
    """The library's and the marks' part of an erasure: the member's quiz results are deleted;
    items they wrote or reviewed, and posts they marked, stay under no name."""
    account = event.account_id
    await session.execute(delete(QuizResult).where(QuizResult.account_id == account))
    await session.execute(
        update(LibraryItem).where(LibraryItem.author_id == account).values(author_id=None)
    )
    await session.execute(
        update(LibraryItem).where(LibraryItem.reviewed_by == account).values(reviewed_by=None)
    )
    await erase_marker(session, account)
