from sqlalchemy import select

from psirf.accounts.models import RoleAssignment, User


def test_an_administrator_creates_an_account_with_a_role(session, sign_in, world):
    client = sign_in(world.admin)
    response = client.post(
        "/admin/accounts/new",
        data={
            "name": "New Lead",
            "email": "new.lead@example.org",
            "password": "a-long-enough-password",
            "role": "patient_safety_lead",
            "organisation_id": str(world.practice.id),
        },
    )
    assert response.status_code == 302
    user = session.scalars(select(User).where(User.email == "new.lead@example.org")).one()
    assert [(r.role, r.organisation_id) for r in user.roles] == [
        ("patient_safety_lead", world.practice.id)
    ]


def test_a_role_at_the_wrong_kind_of_organisation_is_refused_and_nothing_is_written(
    session, sign_in, world
):
    client = sign_in(world.admin)
    response = client.post(
        "/admin/accounts/new",
        data={
            "name": "Wrong Place",
            "email": "wrong@example.org",
            "password": "a-long-enough-password",
            "role": "review_panel_member",
            "organisation_id": str(world.practice.id),
        },
    )
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and "cannot be held at a general practice" in page
    assert 'value="Wrong Place"' in page
    assert session.scalar(select(User).where(User.email == "wrong@example.org")) is None


def test_an_administrator_sees_no_event_content(sign_in, world):
    client = sign_in(world.admin)
    assert client.get("/responses").status_code == 403
    assert client.get("/triage").status_code == 403


def test_an_administrator_adds_a_practice_to_a_pcn_and_a_federation(session, sign_in, world):
    from tests.support.factories import PcnFactory

    federation = PcnFactory(icb=world.icb, kind="federation", ods_code="FED01", name="Federation")
    client = sign_in(world.admin)
    response = client.post(
        "/admin/organisations/new",
        data={
            "name": "New Practice",
            "ods_code": "b12345",
            "kind": "practice",
            "groups": [str(world.pcn.id), str(federation.id)],
        },
    )
    assert response.status_code == 302
    from psirf.organisations.services import by_ods_code

    practice = by_ods_code(session, "B12345")
    assert {g.name for g in practice.groups} == {"North PCN", "Federation"}


def test_a_badly_shaped_ods_code_is_refused_with_the_expected_shape(sign_in, world):
    client = sign_in(world.admin)
    response = client.post(
        "/admin/organisations/new", data={"name": "Bad", "ods_code": "12", "kind": "practice"}
    )
    assert "a letter followed by 5 numbers" in response.get_data(as_text=True)


def test_the_create_admin_command_makes_the_first_administrator(app, session):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create-admin",
            "--email",
            "first@example.org",
            "--name",
            "First Admin",
            "--icb-ods-code",
            "QZZ",
            "--icb-name",
            "Prod ICB",
            "--password",
            "a-long-enough-password",
        ]
    )
    assert result.exit_code == 0, result.output
    user = session.scalars(select(User).where(User.email == "first@example.org")).one()
    assert session.scalars(
        select(RoleAssignment.role).where(RoleAssignment.user_id == user.id)
    ).all() == ["administrator"]
