import pytest

from psirf import create_app
from psirf.accounts.models import User
from psirf.config import ConfigurationError
from psirf.extensions import limiter
from tests.support.factories import TEST_PASSWORD


@pytest.fixture(autouse=True)
def fresh_limits(app):
    limiter.reset()


def test_a_person_signs_in_and_sees_their_organisation_and_role_in_the_header(client, world):
    response = client.post(
        "/sign-in", data={"email": world.lead.email.upper(), "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    page = client.get("/triage").get_data(as_text=True)
    assert "Lee Lead, Patient safety lead, Riverside" in page


def test_a_wrong_password_is_refused_with_a_clear_message_and_keeps_the_email(client, world):
    response = client.post("/sign-in", data={"email": world.lead.email, "password": "wrong"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "Enter a correct email address and password" in page
    assert f'value="{world.lead.email}"' in page


def test_passwords_are_stored_as_argon2id_hashes(world):
    assert world.lead.password_hash.startswith("$argon2id$")


def test_repeated_failures_for_one_account_are_throttled_whatever_the_address(client, world):
    for attempt in range(5):
        address = f"10.0.0.{attempt}"
        client.post(
            "/sign-in",
            data={"email": world.lead.email, "password": "wrong"},
            environ_base={"REMOTE_ADDR": address},
        )
    response = client.post(
        "/sign-in",
        data={"email": world.lead.email, "password": TEST_PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.99"},
    )
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def test_repeated_failures_from_one_address_are_throttled_across_accounts(client, world):
    for n in range(20):
        client.post("/sign-in", data={"email": f"nobody{n}@example.org", "password": "wrong"})
    response = client.post("/sign-in", data={"email": world.lead.email, "password": TEST_PASSWORD})
    assert response.status_code == 429


def test_successful_sign_ins_do_not_count_towards_the_limit(client, world):
    for _ in range(8):
        assert (
            client.post(
                "/sign-in", data={"email": world.lead.email, "password": TEST_PASSWORD}
            ).status_code
            == 302
        )
        client.post("/sign-out")


def test_sign_out_ends_the_session(sign_in, world):
    client = sign_in(world.lead)
    assert client.post("/sign-out").status_code == 302
    assert client.get("/triage").status_code == 302  # back to the sign-in page


def test_a_deactivated_account_cannot_sign_in(session, client, world):
    world.lead.active = False
    session.commit()
    response = client.post("/sign-in", data={"email": world.lead.email, "password": TEST_PASSWORD})
    assert response.status_code == 400


def test_deactivating_an_account_ends_its_open_sessions(session, sign_in, world):
    client = sign_in(world.lead)
    from psirf.accounts import services

    services.set_active(session, session.get(User, world.lead.id), False, world.admin.id)
    session.commit()
    assert client.get("/triage").status_code == 302


def test_a_redirect_after_sign_in_never_leaves_the_site(client, world):
    response = client.post(
        "/sign-in?next=//evil.example.org/x",
        data={"email": world.lead.email, "password": TEST_PASSWORD},
    )
    assert response.headers["Location"] == "/"


def test_forms_refuse_a_post_without_the_csrf_token(database):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database(), "TESTING": True})
    response = app.test_client().post("/sign-in", data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 400
    assert "Your form expired" in response.get_data(as_text=True)


def test_production_without_a_secret_key_stops_start_up(monkeypatch):
    monkeypatch.setenv("PSIRF_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="SECRET_KEY is not set"):
        create_app()
