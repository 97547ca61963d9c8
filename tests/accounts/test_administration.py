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
