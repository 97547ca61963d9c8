"""What the share form starts from, what stripping identifiers tells, and what publishing
refuses, without the pages."""

import pytest

from psirf.learning.models import Finding
from psirf.learning.redact import Found, Kind
from psirf.library import sharing
from psirf.timeutil import utcnow
from tests.support.factories import PcnFactory, PracticeFactory, ResponseFactory, UserFactory
from tests.support.library import closed_aar
from psirf.problems import InputError


@pytest.mark.parametrize(
    "method, record",
    [
        ("after_action_review", {"review": {"learning_summary": "The shared lesson"}}),
        (
            "mdt_review",
            {"summary": {"summary": "The whole review", "learning_summary": "The shared lesson"}},
        ),
        ("cross_organisational", {"signoff": {"learning_summary": "The shared lesson"}}),
        (
            "thematic_review",
            {"synthesis": {"themes": "x", "learning_summary": "The shared lesson"}},
        ),
        ("swarm_huddle", {"next_steps": {"summary": "The shared lesson", "next_steps": "y"}}),
        ("psii", {"draft": {"summary": "The shared lesson", "background": "z"}}),
    ],
)
def test_each_methods_summary_of_learning_starts_the_shared_summary(world, method, record):
    response = ResponseFactory(
        organisation=world.practice,
        method=method,
        state="closed",
        closed_at=utcnow(),
        record=record,
    )

    assert sharing.response_summary(response) == "The shared lesson"


def test_without_a_summary_the_areas_for_improvement_are_used_and_what_went_well_always_travels(
    session, world
):
    response = ResponseFactory(
        organisation=world.practice,
        state="closed",
        closed_at=utcnow(),
        findings=[
            Finding(kind="finding", text="A plain finding"),
            Finding(kind="area_for_improvement", text="Dose changes are not flagged"),
            Finding(kind="went_well", text="The pharmacist queried the dose"),
        ],
    )

    assert sharing.response_summary(response) == (
        "Areas for improvement\n- Dose changes are not flagged\n\nWhat went well\n- The pharmacist queried the dose"
    )
    response.record = {"review": {"learning_summary": "Flag dose changes"}}
    assert (
        sharing.response_summary(response)
        == "Flag dose changes\n\nWhat went well\n- The pharmacist queried the dose"
    )


def test_a_response_without_events_is_dated_by_when_it_started_and_titled_by_its_method(
    session, world
):
    response = ResponseFactory(organisation=world.practice, state="closed", closed_at=utcnow())

    source = sharing.response_source(session, response)

    assert (source.title, source.theme, source.learned_on) == (
        "After action review",
        None,
        response.created_at.date(),
    )


def test_the_sharing_organisations_own_name_stays_while_a_persons_goes(session, world):
    world.practice.name = "Okafor House"
    response = ResponseFactory(organisation=world.practice, state="closed", closed_at=utcnow())
    source = sharing.response_source(session, response)

    stripped = sharing.strip_identifiers(
        source, "Okafor House review", "Staff at Okafor House rang Jane Example."
    )

    assert (stripped.title, stripped.summary) == (
        "Okafor House review",
        "Staff at Okafor House rang [name].",
    )


def test_what_was_removed_is_told_by_kind_and_count_only():
    found = [
        Found(Kind.NAME, 0, 3),
        Found(Kind.NHS_NUMBER, 5, 15),
        Found(Kind.NAME, 20, 24),
        Found(Kind.POSTCODE, 30, 36),
    ]

    assert sharing.describe_found(found) == "1 NHS number, 2 names and 1 postcode"
    assert sharing.describe_found(found[1:2]) == "1 NHS number"
    assert sharing.describe_found([]) == ""


def test_publishing_refuses_text_that_still_identifies_someone(session, world):
    source = sharing.response_source(session, closed_aar(world.practice))

    with pytest.raises(InputError) as refused:
        sharing.publish(
            session, world.lead, source, "Warfarin", "Edith Blackwood was not called", ["icb"]
        )

    assert refused.value.field == "summary"


def test_one_pcn_or_federation_at_a_time_and_only_those_offered(session, world):
    federation = PcnFactory(icb=world.icb, name="Riverside Federation", kind="federation")
    practice = PracticeFactory(icb=world.icb, groups=[world.pcn, federation])
    lead = UserFactory(role=("patient_safety_lead", practice))
    source = sharing.response_source(session, closed_aar(practice))
    assert [label for _, label in source.audiences] == [
        "Our PCN or federation: North PCN",
        "Our PCN or federation: Riverside Federation",
        "Everyone in Test ICB",
    ]

    for chosen, message in (
        ([f"group-{world.pcn.id}", f"group-{federation.id}"], "Choose one PCN or federation"),
        ([f"group-{world.other_pcn.id}"], "Choose from the options shown"),
        ([], "Choose who can read it"),
    ):
        with pytest.raises(InputError) as refused:
            sharing.publish(session, lead, source, "Warfarin", "Check doses", chosen)
        assert refused.value.field == "audiences" and str(refused.value).startswith(message)
