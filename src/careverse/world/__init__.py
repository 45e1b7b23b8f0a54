"""The world: spaces, presence, avatar sync, chat, room moderation and WebRTC signalling."""

from __future__ import annotations

from careverse.kernel.runtime import Runtime


def setup(runtime: Runtime) -> None:
    """Register the spaces API and the realtime socket; the node's hub lives from start to stop.

    The world also makes the spaces care asks for (consult rooms, the waiting space) in care's
    transaction, and lets a guest out of a consult room when their invitation ends (their
    membership in the transaction, their sockets on every node): see world/events.py.
    """
    from careverse.care.events import (
        ConsultInviteeRemoved,
        ConsultRoomClosed,
        ConsultRoomInvited,
        ConsultRoomOpened,
        PatientCalled,
        WaitingRoomNeeded,
    )
    from careverse.kernel.events import Phase
    from careverse.privacy.events import AccountErasureDue
    from careverse.world import api, events
    from careverse.world import protocol as proto
    from careverse.world.hub import Hub, Limits

    settings = runtime.settings

    async def start_hub() -> None:
        limits = Limits(
            tick_hz=settings.world_tick_hz,
            aoi_radius=settings.world_aoi_radius,
            grace_seconds=settings.world_grace_seconds,
        )
        runtime.provide(Hub(limits, bus=runtime.bus, db=runtime.db))

    async def stop_hub() -> None:
        if (hub := runtime.find(Hub)) is not None:
            await hub.close()

    runtime.on_start(start_hub)
    runtime.on_stop(stop_hub)
    runtime.include_router(api.router)
    runtime.events.subscribe(ConsultRoomOpened, events.open_consult_room, phase=Phase.TRANSACTION)
    runtime.events.subscribe(
        ConsultRoomInvited, events.invite_to_consult_room, phase=Phase.TRANSACTION
    )
    runtime.events.subscribe(
        ConsultInviteeRemoved, events.leave_consult_room, phase=Phase.TRANSACTION
    )

    async def close_consult_sockets(event: ConsultInviteeRemoved) -> None:
        """On every node: the guest's sockets in that consult room are closed now."""
        if (hub := runtime.find(Hub)) is not None:
            hub.dismiss(str(event.space_id), str(event.account_id), events.NO_LONGER_INVITED)

    runtime.events.subscribe(ConsultInviteeRemoved, close_consult_sockets, phase=Phase.EVERYWHERE)

    async def call_patient(event: PatientCalled) -> None:
        """On every node: the admitted patient's open sockets (the garden, any space) are told."""
        if (hub := runtime.find(Hub)) is not None:
            people = {str(a) for a in event.account_ids}
            hub.call(people, str(event.space_id), str(event.appointment_id))

    async def end_consult(event: ConsultRoomClosed) -> None:
        """On every node: everyone in the ended visit's room is told, and their call ends."""
        if (hub := runtime.find(Hub)) is not None:
            hub.end_room(str(event.space_id), events.VISIT_ENDED)

    runtime.events.subscribe(PatientCalled, call_patient, phase=Phase.EVERYWHERE)
    runtime.events.subscribe(ConsultRoomClosed, end_consult, phase=Phase.EVERYWHERE)
    runtime.events.subscribe(WaitingRoomNeeded, events.open_waiting_room, phase=Phase.TRANSACTION)
    runtime.events.subscribe(AccountErasureDue, events.forget_person, phase=Phase.TRANSACTION)
    # Live support groups ask for their sessions' spaces (world/circle_events.py).
    from careverse.world.circle_events import GroupSpaceRequested, open_group_space

    runtime.events.subscribe(GroupSpaceRequested, open_group_space, phase=Phase.TRANSACTION)
    # The gallery hangs approved works as frames and takes them down (world/gallery_events.py).
    from careverse.world import gallery_events, objects

    runtime.events.subscribe(
        gallery_events.GalleryWorkHung, gallery_events.hang_work, phase=Phase.TRANSACTION
    )
    runtime.events.subscribe(
        gallery_events.GalleryWorkTakenDown, gallery_events.take_down_work, phase=Phase.TRANSACTION
    )

    async def show_frame(event: gallery_events.GalleryFrameChanged) -> None:
        """On every node: the running copies of the gallery see the frame come or go at once."""
        hub = runtime.find(Hub)
        if hub is None or not hub.instances.get(str(event.space_id)):
            return
        out = await objects.read_object(runtime.db, event.work_id) if event.hung else None
        if event.hung and out is None:
            return
        change = proto.ObjectOut(op="add" if out else "del", id=str(event.work_id), o=out)
        for inst in list(hub.instances.get(str(event.space_id), ())):
            objects.apply(inst, change)

    runtime.events.subscribe(gallery_events.GalleryFrameChanged, show_frame, phase=Phase.EVERYWHERE)
    from careverse.world.circle_events import CircleSupportClosed

    async def support_closed(event: CircleSupportClosed) -> None:
        """On every node: a request acknowledged over HTTP is acknowledged in the room too."""
        if (hub := runtime.find(Hub)) is not None:
            hub.support_closed(str(event.space_id), str(event.account_id), event.by_name)

    runtime.events.subscribe(CircleSupportClosed, support_closed, phase=Phase.EVERYWHERE)
