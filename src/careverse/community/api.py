"""Community HTTP API: communities and membership, threads and posts, live updates, search,
slow mode and the audited safety unmasking (docs/community.md)."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community import text
from careverse.community.batching import PostBatcher
from careverse.community.posts import Author, Posted, PostView, ThreadService, ThreadView
from careverse.community.review import PostReviewer
from careverse.community.schemas import (
    AcceptIn,
    AuthorOut,
    BookmarksOut,
    CommunitiesOut,
    CommunityAcceptedOut,
    CommunityIn,
    CommunityInviteIn,
    CommunityOut,
    ConcernOut,
    JoinIn,
    Kind,
    MemberOut,
    MembershipOut,
    MembersOut,
    PostedOut,
    PostOut,
    ReactionIn,
    ReactionKind,
    ReplyIn,
    ResourceOut,
    RoleIn,
    SearchHitOut,
    SearchOut,
    SlowModeIn,
    SlowModeOut,
    ThreadOut,
    ThreadPageOut,
    ThreadsOut,
    TopicIn,
    TrustOut,
    UnmaskIn,
    UnmaskOut,
)
from careverse.community.service import CommunityService, CommunityView, MemberView
from careverse.community.streams import ThreadStreams, post_events
from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor
from careverse.kernel.deps import get_runtime, get_session

router = APIRouter(prefix="/api/community", tags=["community"])
Slug = Annotated[str, Query(max_length=64)]


def reviewer_of(request: Request) -> PostReviewer:
    return get_runtime(request).find(PostReviewer) or PostReviewer()


def community_service(session: Annotated[AsyncSession, Depends(get_session)]) -> CommunityService:
    return CommunityService(session)


def thread_service(
    request: Request,
    session: Annotated[AsyncSession, Depends(get_session)],
    reviewer: Annotated[PostReviewer, Depends(reviewer_of)],
) -> ThreadService:
    return ThreadService(session, reviewer, get_runtime(request).find(PostBatcher))


Communities = Annotated[CommunityService, Depends(community_service)]
Threads = Annotated[ThreadService, Depends(thread_service)]
Language = Annotated[str | None, Header(alias="Accept-Language", max_length=200)]


def community_out(view: CommunityView) -> CommunityOut:
    c, m = view.community, view.membership
    membership = None
    if m is not None and m.status != "left":
        membership = MembershipOut(
            status=m.status, role=m.role, lived_experience=m.lived_experience,
            guidelines_version=m.guidelines_version,
            guidelines_accepted_at=m.guidelines_accepted_at,
        )  # fmt: skip
    return CommunityOut(
        id=c.id, slug=c.slug, name=c.name, kind=c.kind, visibility=c.visibility,
        description=c.description, guidelines_html=text.render(c.guidelines),
        guidelines_version=c.guidelines_version, members=view.members, staff=view.staff,
        membership=membership,
    )  # fmt: skip


def author_out(a: Author) -> AuthorOut:
    return AuthorOut(handle=a.handle, name=a.name, badge=a.badge, mine=a.mine)


def post_out(v: PostView) -> PostOut:
    p = v.post
    quote = None
    if v.quote is not None:
        quote = {**v.quote, "author": author_out(v.quote["author"])}
    return PostOut.model_validate({
        "id": p.id, "thread_id": p.thread_id, "seq": p.seq, "author": author_out(v.author),
        "html": v.html, "state": p.state, "quote": quote, "reactions": v.reactions,
        "my_reactions": v.my_reactions, "bookmarked": v.bookmarked, "accepted": v.accepted,
        "tags": v.tags, "created_at": p.created_at, "edited_at": p.edited_at,
    })  # fmt: skip


def thread_out(v: ThreadView) -> ThreadOut:
    t = v.thread
    return ThreadOut(
        id=t.id, community_id=t.community_id, title=v.title, author=author_out(v.author),
        created_at=t.created_at, last_post_at=t.last_post_at, post_count=t.post_count,
        unread=v.unread, accepted_post_id=t.accepted_post_id, slow_seconds=t.slow_seconds,
        slow_until=t.slow_until,
    )  # fmt: skip


def posted_out(posted: Posted) -> PostedOut:
    concern = None
    if posted.concern is not None:
        resources = [ResourceOut(**asdict(r)) for r in posted.concern.resources]
        concern = ConcernOut(message=posted.concern.message, resources=resources)
    thread = thread_out(posted.thread) if posted.thread else None
    return PostedOut(post=post_out(posted.post), concern=concern, thread=thread)


def member_out(m: MemberView) -> MemberOut:
    return MemberOut(**asdict(m))


# ---- communities and membership --------------------------------------------------------------


@router.get("/communities", response_model=CommunitiesOut, responses=ERRORS)
async def list_communities(
    actor: CurrentActor, service: Communities, kind: Kind | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> CommunitiesOut:  # fmt: skip
    """The communities the caller may see (optionally of one kind, or matching ``q``)."""
    return CommunitiesOut(
        communities=[community_out(v) for v in await service.list(actor, kind, q)]
    )


@router.post("/communities", status_code=201, response_model=CommunityOut, responses=ERRORS)
async def create_community(body: CommunityIn, actor: CurrentActor, service: Communities):
    """A new community (site admins)."""
    row = await service.create(actor, **body.model_dump())
    return community_out(await service.get(actor, row.slug))


@router.get("/communities/{slug}", response_model=CommunityOut, responses=ERRORS)
async def get_community(slug: str, actor: CurrentActor, service: Communities) -> CommunityOut:
    return community_out(await service.get(actor, slug))


@router.post("/communities/{slug}/join", response_model=CommunityOut, responses=ERRORS)
async def join(slug: str, body: JoinIn, actor: CurrentActor, service: Communities):
    """Join with the guidelines of the version shown accepted (recorded); a request-to-join
    community answers ``membership.status == "requested"`` until staff approve."""
    return community_out(await service.join(actor, slug, **body.model_dump()))


@router.post("/communities/{slug}/leave", status_code=204, responses=ERRORS)
async def leave(slug: str, actor: CurrentActor, service: Communities) -> Response:
    await service.leave(actor, slug)
    return Response(status_code=204)


@router.get("/communities/{slug}/members", response_model=MembersOut, responses=ERRORS)
async def members(
    slug: str, actor: CurrentActor, service: Communities,
    member_status: Annotated[str, Query(alias="status", max_length=12)] = "active",
) -> MembersOut:  # fmt: skip
    """Members, join requests or invitations (community staff)."""
    return MembersOut(
        members=[member_out(m) for m in await service.members(actor, slug, member_status)]
    )


@router.post("/communities/{slug}/members/{membership_id}/approve", response_model=MemberOut,
             responses=ERRORS)  # fmt: skip
async def approve(slug: str, membership_id: uuid.UUID, actor: CurrentActor, service: Communities):
    return member_out(await service.approve(actor, slug, membership_id))


@router.put("/communities/{slug}/members/{membership_id}/role", response_model=MemberOut,
            responses=ERRORS)  # fmt: skip
async def set_role(
    slug: str, membership_id: uuid.UUID, body: RoleIn, actor: CurrentActor, service: Communities
):
    return member_out(await service.set_role(actor, slug, membership_id, body.role))


@router.post("/communities/{slug}/invitations", status_code=201, response_model=MemberOut,
             responses=ERRORS)  # fmt: skip
async def invite(slug: str, body: CommunityInviteIn, actor: CurrentActor, service: Communities):
    return member_out(await service.invite(actor, slug, str(body.email)))


# ---- threads and posts -------------------------------------------------------------------------


@router.get("/communities/{slug}/threads", response_model=ThreadsOut, responses=ERRORS)
async def threads(slug: str, actor: CurrentActor, service: Threads) -> ThreadsOut:
    """The community's topics, latest activity first, with the caller's unread count."""
    return ThreadsOut(threads=[thread_out(t) for t in await service.threads(actor, slug)])


@router.post("/communities/{slug}/threads", status_code=201, response_model=PostedOut,
             responses=ERRORS)  # fmt: skip
async def start_thread(
    slug: str, body: TopicIn, actor: CurrentActor, service: Threads, language: Language = None
) -> PostedOut:
    """A new topic; answers its first post (``state`` published or held) and any ``concern``."""
    return posted_out(await service.start(actor, slug, body.title, body.body, body.identity,
                                          language))  # fmt: skip


@router.get("/communities/{slug}/search", response_model=SearchOut, responses=ERRORS)
async def search(
    slug: str, actor: CurrentActor, service: Threads,
    q: Annotated[str, Query(min_length=1, max_length=200)],
) -> SearchOut:  # fmt: skip
    """Published posts containing every word of ``q`` (whole words, any case)."""
    hits = await service.search(actor, slug, q)
    return SearchOut(hits=[SearchHitOut(thread=thread_out(t), post=post_out(p)) for t, p in hits])


@router.get("/threads/{thread_id}", response_model=ThreadPageOut, responses=ERRORS)
async def read_thread(
    thread_id: uuid.UUID, actor: CurrentActor, service: Threads, communities: Communities,
    after: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> ThreadPageOut:  # fmt: skip
    """The thread and its posts after ``after`` (marks them read)."""
    thread, community, _membership, posts = await service.read(actor, thread_id, after)
    view = await communities.get(actor, community.slug)
    return ThreadPageOut(thread=thread_out(thread), community=community_out(view),
                         posts=[post_out(p) for p in posts])  # fmt: skip


@router.post("/threads/{thread_id}/posts", status_code=201, response_model=PostedOut,
             responses=ERRORS)  # fmt: skip
async def reply(
    thread_id: uuid.UUID, body: ReplyIn, actor: CurrentActor, service: Threads,
    language: Language = None,
) -> PostedOut:  # fmt: skip
    """A reply (optionally quoting a post of the thread)."""
    return posted_out(await service.reply(actor, thread_id, body.body, body.identity,
                                          body.quote_post_id, language))  # fmt: skip


@router.get(
    "/threads/{thread_id}/stream",
    response_class=StreamingResponse,
    responses={**ERRORS, 200: {"content": {"text/event-stream": {}}}},
)
async def thread_stream(
    thread_id: uuid.UUID, actor: CurrentActor, request: Request, service: Threads,
    session: Annotated[AsyncSession, Depends(get_session)],
) -> StreamingResponse:  # fmt: skip
    """Server-sent events: ``event: post`` (a post, as in the thread) for each new post."""
    await service.check_readable(actor, thread_id)
    await session.close()  # hold no database connection for the life of the stream
    runtime = get_runtime(request)
    events = post_events(runtime.db, runtime.get(ThreadStreams), reviewer_of(request), actor,
                         thread_id, lambda v: post_out(v).model_dump(mode="json"))  # fmt: skip
    return StreamingResponse(events, media_type="text/event-stream",
                             headers={"X-Accel-Buffering": "no"})  # fmt: skip


@router.put("/threads/{thread_id}/accepted", response_model=CommunityAcceptedOut, responses=ERRORS)
async def accept(thread_id: uuid.UUID, body: AcceptIn, actor: CurrentActor, service: Threads):
    """The asker marks a reply as the accepted answer (``post_id: null`` clears it)."""
    return CommunityAcceptedOut(
        accepted_post_id=await service.accept(actor, thread_id, body.post_id)
    )


@router.put("/threads/{thread_id}/slow-mode", response_model=SlowModeOut, responses=ERRORS)
async def thread_slow_mode(
    thread_id: uuid.UUID, body: SlowModeIn, actor: CurrentActor, service: Communities
) -> SlowModeOut:
    """Slow mode for a topic (community staff; a reason is required, audited)."""
    t = await service.thread_slow_mode(actor, thread_id, body.seconds, body.until, body.reason)
    return SlowModeOut(seconds=t.slow_seconds, until=t.slow_until)


@router.put("/posts/{post_id}/author-slow-mode", response_model=SlowModeOut, responses=ERRORS)
async def member_slow_mode(
    post_id: uuid.UUID, body: SlowModeIn, actor: CurrentActor, service: Communities
) -> SlowModeOut:
    """Slow mode for the author of a post in its community, without revealing who they are."""
    until = await service.member_slow_mode(actor, post_id, body.seconds, body.until, body.reason)
    return SlowModeOut(seconds=body.seconds or None, until=until)


@router.post("/posts/{post_id}/reactions", response_model=PostOut, responses=ERRORS)
async def react(post_id: uuid.UUID, body: ReactionIn, actor: CurrentActor, service: Threads):
    return post_out(await service.react(actor, post_id, body.kind, True))


@router.delete("/posts/{post_id}/reactions/{kind}", response_model=PostOut, responses=ERRORS)
async def unreact(post_id: uuid.UUID, kind: ReactionKind, actor: CurrentActor, service: Threads):
    return post_out(await service.react(actor, post_id, kind, False))


@router.put("/posts/{post_id}/bookmark", status_code=204, responses=ERRORS)
async def bookmark(post_id: uuid.UUID, actor: CurrentActor, service: Threads) -> Response:
    await service.bookmark(actor, post_id, True)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/posts/{post_id}/bookmark", status_code=204, responses=ERRORS)
async def unbookmark(post_id: uuid.UUID, actor: CurrentActor, service: Threads) -> Response:
    await service.bookmark(actor, post_id, False)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me/bookmarks", response_model=BookmarksOut, responses=ERRORS)
async def my_bookmarks(actor: CurrentActor, service: Threads) -> BookmarksOut:
    return BookmarksOut(posts=[post_out(p) for p in await service.bookmarks(actor)])


@router.get("/me/trust", response_model=TrustOut, responses=ERRORS)
async def my_trust(actor: CurrentActor, service: Communities) -> TrustOut:
    """The caller's trust level, what earned it and what it allows."""
    level, read, days = await service.my_trust(actor)
    return TrustOut(level=level.level, name=level.name, posts_read=read, days_visited=days,
                    topics_per_day=level.topics_per_day,
                    posts_per_hour=level.posts_per_hour)  # fmt: skip


@router.post("/posts/{post_id}/unmask", response_model=UnmaskOut, responses=ERRORS)
async def unmask(
    post_id: uuid.UUID, body: UnmaskIn, actor: CurrentActor, service: Communities
) -> UnmaskOut:
    """The safety unmasking (site admins, with a reason; audited): who wrote this post."""
    account_id, name = await service.unmask(actor, post_id, body.reason)
    return UnmaskOut(account_id=account_id, name=name)
