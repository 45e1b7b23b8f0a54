"""The access policy on its own: every role and fact combination, without a database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import pytest

from careverse.kernel import audit, policy
from careverse.kernel.errors import Forbidden, NotFound
from careverse.kernel.policy import (
    Actor,
    Basis,
    Category,
    Delegation,
    Purpose,
    Role,
    Scope,
    authorize,
    decide,
)
from careverse.kernel.uow import UnitOfWork, unit_of_work

PATIENT = uuid.uuid4()


@dataclass
class Facts(policy.PolicyFacts):
    """Facts set by each test; records what the policy asked."""

    scopes: frozenset[str] | None = None
    relationship: bool = False
    glass: bool = False
    denies: bool = False
    asked: list = field(default_factory=list)

    async def delegation(self, session, caregiver_id, patient_id):
        self.asked.append(("delegation", caregiver_id, patient_id))
        return None if self.scopes is None else Delegation(self.scopes)

    async def has_care_relationship(self, session, clinician_id, patient_id):
        return self.relationship

    async def break_glass_active(self, session, clinician_id, patient_id):
        return self.glass

    async def consent_denies(self, session, patient_id, purpose, actor_id):
        self.asked.append(("consent", patient_id, purpose, actor_id))
        return self.denies


@pytest.fixture
def facts():
    saved = policy._facts
    installed = Facts()
    policy.install_facts(installed)
    yield installed
    policy.install_facts(saved)


def actor(role: Role, **kw) -> Actor:
    return Actor(uuid.uuid4(), role, **kw)


async def test_patients_reach_only_their_own_record(facts):
    me = actor(Role.PATIENT, patient_id=PATIENT)
    for write in (False, True):
        grant, can_read = await decide(None, me, PATIENT, Category.RECORD, write)
        assert (grant.basis, grant.purpose, can_read) == (Basis.SELF, Purpose.SELF, True)
    other = actor(Role.PATIENT, patient_id=uuid.uuid4())
    assert await decide(None, other, PATIENT, Category.RECORD, False) == (None, False)
    no_record = actor(Role.PATIENT)
    assert await decide(None, no_record, PATIENT, Category.RECORD, False) == (None, False)


@pytest.mark.parametrize(
    ("scopes", "category", "read", "write", "can_read"),
    [
        (None, "record", False, False, False),
        ({"record:read"}, "record", True, False, True),
        ({"record:write"}, "record", True, True, True),
        ({"record:read", "record:write"}, "record", True, True, True),
        ({"vitals:read", "vitals:write"}, "record", False, False, False),
        ({"record:read", "vitals:read"}, "vitals", True, False, True),
        ({"vitals:write"}, "vitals", True, True, True),
        (set(), "record", False, False, False),
    ],
)
async def test_caregivers_get_exactly_their_scopes(facts, scopes, category, read, write, can_read):
    facts.scopes = None if scopes is None else frozenset(scopes)
    caregiver = actor(Role.CAREGIVER)
    grant, readable = await decide(None, caregiver, PATIENT, Category(category), False)
    assert (grant is not None, readable) == (read, can_read)
    if grant:
        assert (grant.basis, grant.purpose) == (Basis.DELEGATION, Purpose.SELF)
    grant, readable = await decide(None, caregiver, PATIENT, Category(category), True)
    assert (grant is not None, readable) == (write, can_read)
    assert ("delegation", caregiver.account_id, PATIENT) in facts.asked


@pytest.mark.parametrize(
    ("relationship", "denies", "glass", "basis"),
    [
        (False, False, False, None),
        (True, False, False, Basis.CARE_RELATIONSHIP),
        (True, True, False, None),
        (True, True, True, Basis.BREAK_GLASS),
        (False, False, True, Basis.BREAK_GLASS),
        (False, True, True, Basis.BREAK_GLASS),
        (True, False, True, Basis.CARE_RELATIONSHIP),
    ],
)
async def test_clinicians(facts, relationship, denies, glass, basis):
    facts.relationship, facts.denies, facts.glass = relationship, denies, glass
    clinician = actor(Role.CLINICIAN)
    for write in (False, True):
        grant, can_read = await decide(None, clinician, PATIENT, Category.RECORD, write)
        assert (grant.basis if grant else None) == basis
        assert can_read is (basis is not None)
        if grant:
            assert grant.purpose is Purpose.TREATMENT
    if relationship:
        # The deny is looked up for treatment and for this very clinician.
        assert ("consent", PATIENT, Purpose.TREATMENT, clinician.account_id) in facts.asked


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.RESEARCHER, Role.ADMIN])
async def test_other_roles_never_reach_health_data(facts, role):
    facts.scopes = frozenset({"record:read", "record:write"})
    facts.relationship = facts.glass = True
    someone = actor(role, patient_id=PATIENT)  # even with a (nonsensical) patient id
    for category in Category:
        for write in (False, True):
            assert await decide(None, someone, PATIENT, category, write) == (None, False)


async def test_a_session_still_enrolling_in_mfa_may_do_nothing(facts):
    facts.relationship = True
    clinician = actor(Role.CLINICIAN, scope=Scope.MFA_ENROLMENT)
    with pytest.raises(Forbidden):
        await decide(None, clinician, PATIENT, Category.RECORD, False)


class FakeSession:
    """What ``authorize`` and ``audit.record`` touch: the info dict and the transaction."""

    def __init__(self) -> None:
        self.info: dict = {}

    def in_transaction(self) -> bool:
        return True


def in_unit_of_work(session: FakeSession) -> UnitOfWork:
    """Put ``session`` inside an open unit of work, as a service entry point would."""
    uow = unit_of_work(session)  # type: ignore[arg-type]
    uow.depth = 1
    return uow


async def test_authorize_defers_a_refusal_audit_to_its_own_session_and_answers_404(facts):
    session = FakeSession()
    uow = in_unit_of_work(session)
    stranger = actor(Role.CLINICIAN, address="198.51.100.9")
    with pytest.raises(NotFound):
        await authorize(session, stranger, PATIENT, Category.RECORD)
    # Nothing was queued on the caller's session: its transaction will roll back untouched.
    assert not session.info.get(audit.PENDING_KEY)
    [write_refusal] = uow._refusals
    own = FakeSession()
    write_refusal(own)
    [event] = own.info[audit.PENDING_KEY]
    assert event.outcome is audit.Outcome.DENIED
    assert (event.actor_id, event.actor_role, event.patient_id) == (
        stranger.account_id,
        "clinician",
        PATIENT,
    )
    assert (event.action, event.address, event.resource_id) == (
        "record.read",
        "198.51.100.9",
        str(PATIENT),
    )


async def test_authorize_answers_403_to_a_reader_who_writes(facts):
    facts.scopes = frozenset({"record:read"})
    session = FakeSession()
    uow = in_unit_of_work(session)
    with pytest.raises(Forbidden) as refused:
        await authorize(session, actor(Role.CAREGIVER), PATIENT, Category.RECORD, write=True)
    assert refused.value.code == "forbidden_write"
    [write_refusal] = uow._refusals
    own = FakeSession()
    write_refusal(own)
    [event] = own.info[audit.PENDING_KEY]
    assert (event.action, event.outcome) == ("record.write", audit.Outcome.DENIED)


async def test_authorize_queues_a_grant_with_its_basis_for_the_callers_commit(facts):
    facts.relationship = True
    session = FakeSession()
    resource = uuid.uuid4()
    grant = await authorize(
        session,
        actor(Role.CLINICIAN),
        PATIENT,
        Category.VITALS,
        resource_type="Observation",
        resource_id=resource,
    )
    assert grant.basis is Basis.CARE_RELATIONSHIP
    assert not unit_of_work(session)._refusals  # the caller's unit of work commits the grant
    [event] = session.info[audit.PENDING_KEY]
    assert event.outcome is audit.Outcome.SUCCESS
    assert (event.action, event.purpose, event.detail) == (
        "vitals.read",
        "treatment",
        {"basis": "care-relationship"},
    )
    assert (event.resource_type, event.resource_id) == ("Observation", str(resource))


async def test_a_refusal_is_audited_against_the_resource_asked_for(facts):
    """The denied row names the resource (and the patient's record when none is given)."""
    for resource_type, resource_id, expected in (
        ("Observation", uuid.uuid4(), None),
        (None, None, ("Patient", str(PATIENT))),
    ):
        session = FakeSession()
        uow = in_unit_of_work(session)
        extra = (
            {"resource_type": resource_type, "resource_id": resource_id} if resource_type else {}
        )
        with pytest.raises(NotFound):
            await authorize(session, actor(Role.CLINICIAN), PATIENT, Category.VITALS, **extra)
        [write_refusal] = uow._refusals
        own = FakeSession()
        write_refusal(own)
        [event] = own.info[audit.PENDING_KEY]
        assert (event.resource_type, event.resource_id) == (
            expected or (resource_type, str(resource_id))
        )


async def test_with_no_facts_provided_nothing_is_allowed_but_a_patients_own_record():
    """Deny by default: a node where no capability has provided a fact yet (PolicyFacts' own
    answers) grants clinicians and caregivers nothing."""
    saved = policy._facts
    policy.install_facts(policy.PolicyFacts())
    try:
        for role in (Role.CLINICIAN, Role.CAREGIVER, Role.ADMIN, Role.RESEARCHER):
            assert await decide(None, actor(role), PATIENT, Category.RECORD, False) == (None, False)
        mine = actor(Role.PATIENT, patient_id=PATIENT)
        assert (await decide(None, mine, PATIENT, Category.RECORD, False))[1] is True

        class OnlyRelationship(policy.PolicyFacts):
            async def has_care_relationship(self, session, clinician_id, patient_id):
                return True

        # With a care relationship and no consent fact provided, no consent denies.
        policy.install_facts(OnlyRelationship())
        grant, _ = await decide(None, actor(Role.CLINICIAN), PATIENT, Category.RECORD, False)
        assert grant is not None and grant.basis is Basis.CARE_RELATIONSHIP
    finally:
        policy.install_facts(saved)


async def test_a_refusal_reads_like_a_missing_record_and_a_write_refusal_says_why(facts):
    """The 404 says exactly what a record that does not exist says ("Not found.", code
    not_found), so a refusal cannot be told from absence; the 403 tells a reader why."""
    session = FakeSession()
    in_unit_of_work(session)
    with pytest.raises(NotFound) as hidden:
        await authorize(session, actor(Role.CLINICIAN), PATIENT, Category.RECORD)
    assert (hidden.value.message, hidden.value.code) == ("Not found.", NotFound.code)
    assert str(hidden.value) == "Not found."
    facts.scopes = frozenset({"record:read"})
    with pytest.raises(Forbidden) as refused:
        await authorize(session, actor(Role.CAREGIVER), PATIENT, Category.RECORD, write=True)
    assert refused.value.message == "You may see this but not change it."


def test_only_the_facts_the_policy_asks_for_can_be_provided():
    with pytest.raises(TypeError, match=r"^the policy has no fact named is_friend$"):
        policy.provide_facts(is_friend=lambda *a: True)
