"""The lobby's community notice board: only a path under /community, seeded once by the demo."""

from __future__ import annotations

from sqlalchemy import select

from careverse import demo
from careverse.identity.service import IdentityService, NewAccount
from careverse.world import protocol as proto
from careverse.world.client import WorldClient
from careverse.world.models import Space, SpaceObject
from careverse.world.service import SpaceService


def is_error(code: str):
    return lambda m: isinstance(m, proto.Error) and m.code == code


async def test_a_board_opens_only_a_community_path(live, person, space):
    url, _ = live
    _, clin = await person("clinician")
    _, pat = await person("patient")
    lobby = await space(clin, template="clinic-lobby")
    async with (
        await WorldClient.connect(url, clin, lobby) as host,
        await WorldClient.connect(url, pat, lobby) as guest,
    ):
        for target in (
            "https://evil.example/community", "//evil.example/community", "/community/../admin",
            "/communityx", "/admin", "javascript:alert(1)", None,
        ):  # fmt: skip
            await host.send(
                proto.ObjectAdd(kind="notice-board", p=(0, 0, -5), title="Board", url=target)
            )
            await host.wait_for(is_error("bad_object"))
        await guest.send(
            proto.ObjectAdd(kind="notice-board", p=(0, 0, -5), title="Board", url="/community")
        )
        await guest.wait_for(is_error("forbidden"))
        await host.send(
            proto.ObjectAdd(kind="notice-board", p=(0, 0, -5), title="Board", url="/community")
        )
        added = await guest.wait_for(lambda m: isinstance(m, proto.ObjectOut) and m.op == "add")
        assert isinstance(added, proto.ObjectOut) and added.o is not None
        assert (added.o.kind, added.o.url) == ("notice-board", "/community")
    # Only the accepted board was stored, and it comes back with its path.
    async with await WorldClient.connect(url, pat, lobby) as again:
        boards = [o for o in again.welcome.objects if o.kind == "notice-board"]
        assert [(b.url, b.title) for b in boards] == [("/community", "Board")]


async def test_the_demo_lobby_has_one_notice_board(app):
    db, settings = app.state.runtime.db, app.state.runtime.settings
    async with db.session() as session:  # the demo spaces' hosts
        identity, accounts = IdentityService(session, settings), {}
        for person in demo.PEOPLE:
            if person.local in {host for host, _, _ in demo.DEMO_SPACES}:
                accounts[person.local] = await identity.create_account(
                    None, NewAccount(email=person.email, role=person.role,
                                     display_name=person.name, password=demo.DEMO_PASSWORD),
                )  # fmt: skip
    for _ in range(2):  # seeding again adds no second board
        async with db.session() as session:
            await demo.seed_spaces(session, accounts)
            await demo.seed_notice_boards(session, accounts)
    async with db.session() as session:
        spaces = {s.id: s for s in (await session.scalars(select(Space))).all()}
        boards = (
            await session.scalars(select(SpaceObject).where(SpaceObject.kind == "notice-board"))
        ).all()
        lobbies = [s.id for s in spaces.values() if s.name == "Clinic lobby"]
        assert len(lobbies) == 1
        assert [(b.space_id, b.asset) for b in boards] == [(lobbies[0], "/community")]
        assert await SpaceService(session).add_notice_board(lobbies[0]) is False
