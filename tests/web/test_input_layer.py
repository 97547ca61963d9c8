"""The one input layer (psirf/web/inputs.py): control characters never reach a view, ids beyond
the database's integers never reach a query, and a body that is not UTF-8 is a 400."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from psirf.extensions import db
from psirf.learning.models import Finding
from psirf.web.inputs import record_id, without_controls
from tests.support.factories import AfterActionReviewFactory
from tests.support.queries import counting_queries


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("a\x00b", "ab"),
        ("bell\x07 escape\x1b[31m delete\x7f c1\x85\x9f", "bell escape[31m delete c1"),
        ("line one\r\nline\ttwo", "line one\r\nline\ttwo"),
        ("\u202etxt.exe \u05e9\u05dc\u05d5\u05dd", "\u202etxt.exe \u05e9\u05dc\u05d5\u05dd"),
    ],
)
def test_control_characters_go_and_text_in_any_script_or_direction_stays(typed, kept):
    assert without_controls(typed) == kept


@pytest.mark.parametrize(
    "value, read",
    [
        ("12", 12),
        (" 7 ", 7),
        ("2147483647", 2147483647),
        ("2147483648", None),
        ("9" * 40, None),
        ("0", None),
        ("-1", None),
        ("\u0663", None),
        ("\u00b2", None),
        ("12a", None),
        ("", None),
        (None, None),
    ],
)
def test_an_id_is_a_plain_whole_number_a_row_could_have(value, read):
    assert record_id(value) == read


def test_a_form_value_reaches_the_record_without_its_control_characters(app, world, sign_in):
    review = AfterActionReviewFactory(organisation=world.practice, state="in_review")
    answer = sign_in(world.lead).post(
        f"/responses/{review.id}/findings",
        data={
            "finding-kind": "finding",
            "finding-text": "The dose\x00 was not\x1b checked.\nTwice.",
            "finding-version": review.version_id,
        },
    )
    assert answer.status_code == 302
    assert [f.text for f in db.session.scalars(select(Finding))] == [
        "The dose was not checked.\nTwice."
    ]


def test_a_nul_in_the_sign_in_email_is_a_failed_sign_in_not_an_error(client, world):
    answer = client.post("/sign-in", data={"email": world.lead.email + "\x00", "password": "wrong"})
    assert answer.status_code == 400
    assert "Enter a correct email address and password" in answer.get_data(as_text=True)


def test_a_nul_in_the_public_service_search_is_dropped(client, world):
    answer = client.get("/report/service?q=River%00side")
    assert answer.status_code == 200
    assert "Riverside" in answer.get_data(as_text=True)


@pytest.mark.parametrize(
    "address", ["/public/plans/%00", "/events/1%00", "/report/what%01happened"]
)
def test_an_address_holding_a_control_character_names_nothing(client, address):
    assert client.get(address).status_code == 404


def test_an_id_beyond_the_databases_integers_is_not_found_without_a_query(client, world, sign_in):
    lead = sign_in(world.lead)
    with counting_queries() as statements:
        answer = lead.get("/events/99999999999999999999")
    assert answer.status_code == 404
    assert not any("safety_events" in q for q in statements)


def test_a_form_body_that_is_not_utf8_is_refused_as_an_empty_form(app, world, sign_in):
    review = AfterActionReviewFactory(organisation=world.practice, state="in_review")
    answer = sign_in(world.lead).post(
        f"/responses/{review.id}/findings",
        data=b"finding-text=\xff\xfe",
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 400
    assert "nhsuk-error-summary" in answer.get_data(as_text=True)
