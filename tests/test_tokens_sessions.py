"""Accounts and tokens: a token acts with its owner's current rights, expires, and sessions end on the server."""
from datetime import timedelta

from server.models import ApiToken, User, utcnow
from tests.conftest import (
    CONSOLE_PASSWORD,
    bearer,
    csrf_token,
    make_app,
    make_user,
    sign_in,
)
from server.extensions import db as _db
from tests.test_console_users import OtherBrowser

STATUS = "/api/v1/admin/walks/{}/status"


def _token_of(user, role, walks=(), **kwargs):
    token, plaintext = ApiToken.issue(role, walks, "script", user, **kwargs)
    _db.session.add(token)
    _db.session.commit()
    return bearer(plaintext)


def test_demoted_admins_token_loses_admin_rights_at_once(client, seeded):
    """An admin's token stops creating walks the moment its owner becomes a facilitator of one walk."""
    owner = make_user("olga")
    headers = _token_of(owner, "admin")
    assert client.get("/api/v1/admin/tokens", headers=headers).status_code == 200
    owner.role, owner.walks = "facilitator", [seeded["libus"]]
    _db.session.commit()
    assert client.get("/api/v1/admin/tokens", headers=headers).status_code == 403
    assert client.get(STATUS.format("libus"), headers=headers).status_code == 200
    assert client.get(STATUS.format("prague-7"), headers=headers).status_code == 403


def test_facilitator_token_follows_the_owners_walks(client, seeded):
    """A facilitator's token sees a walk only while its owner still runs it."""
    owner = make_user("fiona", "facilitator", walks=["libus", "centre"])
    headers = _token_of(owner, "facilitator", [seeded["libus"], seeded["centre"]])
    assert client.get(STATUS.format("centre"), headers=headers).status_code == 200
    owner.walks = [seeded["libus"]]
    _db.session.commit()
    assert client.get(STATUS.format("centre"), headers=headers).status_code == 403
    assert client.get(STATUS.format("libus"), headers=headers).status_code == 200


def test_disabled_owners_token_is_refused(client, seeded):
    """Deactivating a user refuses their tokens with 401 at once."""
    owner = make_user("olga")
    headers = _token_of(owner, "admin")
    owner.active = False
    _db.session.commit()
    assert client.get("/api/v1/admin/tokens", headers=headers).status_code == 401


def test_admins_facilitator_token_stays_a_facilitators(client, seeded):
    """A facilitator token an admin made never has more than it was made for."""
    owner = make_user("olga")
    headers = _token_of(owner, "facilitator", [seeded["libus"]])
    assert client.get("/api/v1/admin/tokens", headers=headers).status_code == 403
    assert client.get(STATUS.format("prague-7"), headers=headers).status_code == 403


def test_tokens_expire(client, seeded):
    """A token past its expiry is refused like a revoked one; the default lifetime is 90 days."""
    owner = make_user("olga")
    headers = _token_of(owner, "admin", expires_in=timedelta(days=1))
    assert client.get("/api/v1/admin/tokens", headers=headers).status_code == 200
    token = _db.session.execute(_db.select(ApiToken)).scalar_one()
    token.expires_at = utcnow() - timedelta(seconds=1)
    _db.session.commit()
    assert client.get("/api/v1/admin/tokens", headers=headers).status_code == 401
    fresh, _ = ApiToken.issue("admin")
    assert timedelta(days=89) < fresh.expires_at - utcnow() <= timedelta(days=90)


def test_create_token_expires_option(runner, seeded):
    """`create-token --expires 7d` makes a token that ends in 7 days; `never` one that does not; bad input fails."""
    result = runner.invoke(args=["create-token", "--role", "admin", "--expires", "7d", "--label", "ci"])
    assert result.exit_code == 0, result.output
    token = _db.session.execute(_db.select(ApiToken).where(ApiToken.label == "ci")).scalar_one()
    assert timedelta(days=6) < token.expires_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None) <= timedelta(days=7)
    result = runner.invoke(args=["create-token", "--role", "admin", "--expires", "never", "--label", "forever"])
    assert result.exit_code == 0 and "never expires" in result.output
    assert runner.invoke(args=["create-token", "--role", "admin", "--expires", "tomorrow"]).exit_code != 0


def test_api_token_made_by_a_token_belongs_to_its_user(client, seeded):
    """A token created through the API by a user's token belongs to that user and shows expiry."""
    owner = make_user("olga")
    headers = _token_of(owner, "admin")
    reply = client.post("/api/v1/admin/tokens", json={"role": "admin", "label": "nightly", "expires_in_days": 30},
                        headers=headers)
    assert reply.status_code == 201, reply.get_json()
    body = reply.get_json()
    assert body["user"] == "olga" and body["expires_at"]


def test_console_shows_expiry_and_last_use(admin):
    """The tokens page shows when each token expires and when it was last used."""
    token = csrf_token(admin, "/admin/tokens")
    reply = admin.post("/admin/tokens", data={"csrf_token": token, "role": "admin", "label": "backup script",
                                              "expires": "30d"})
    assert reply.status_code == 200
    page = admin.get("/admin/tokens").get_data(as_text=True)
    assert "Expires" in page and "Last used" in page and "backup script" in page
    row = _db.session.execute(_db.select(ApiToken).where(ApiToken.label == "backup script")).scalar_one()
    assert row.user.username == "anna"
    assert timedelta(days=29) < row.expires_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None) <= timedelta(days=30)


def test_sign_out_ends_the_session_on_the_server(app, client, seeded):
    """After signing out, a copy of the old session cookie no longer opens the console."""
    make_user("anna")
    sign_in(client, "anna")
    cookie = client.get_cookie("session").value
    assert client.get("/admin/walks").status_code == 200
    client.post("/admin/sign-out", data={"csrf_token": csrf_token(client, "/admin/walks")})
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    reply = thief.get("/admin/walks")
    assert reply.status_code == 302 and "/admin/sign-in" in reply.headers["Location"]


def test_sign_out_ends_the_users_other_sessions(app, client, seeded):
    """Signing out in one browser also ends the same user's session in another browser."""
    make_user("anna")
    other = OtherBrowser(app)
    sign_in(client, "anna")
    sign_in(other, "anna")
    assert other.get("/admin/walks").status_code == 200
    assert client.post("/admin/sign-out", data={"csrf_token": csrf_token(client, "/admin/walks")}).status_code == 302
    assert other.get("/admin/walks").status_code == 302


def test_password_change_ends_other_sessions_but_not_this_one(app, client, seeded):
    """A new password signs the user's other browsers out; the one that changed it stays in."""
    user = make_user("anna")
    other = OtherBrowser(app)
    sign_in(client, "anna")
    sign_in(other, "anna")
    token = csrf_token(client, f"/admin/users/{user.id}/edit")
    reply = client.post(f"/admin/users/{user.id}/password", data={"csrf_token": token, "password": "another-long-one",
                                                                  "confirmation": "another-long-one"})
    assert reply.status_code == 302
    assert client.get("/admin/walks").status_code == 200
    assert other.get("/admin/walks").status_code == 302


def _attempt(client, username, password="wrong-password-1"):
    return client.post("/admin/sign-in", data={"username": username, "password": password,
                                               "csrf_token": csrf_token(client)}).status_code


def test_failed_sign_ins_are_throttled_per_account_across_addresses(_schema):
    """Ten failed passwords for one account from many addresses lock that account's sign-in, not others'."""
    app = make_app(_schema, RATELIMIT_ENABLED=True)
    with app.app_context():
        make_user("anna")
        make_user("bob")
        _db.session.remove()

    def attempt(address, username, password="wrong-password-1"):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        with app.app_context():
            return _attempt(client, username, password)

    statuses = [attempt(f"10.0.0.{number}", "anna") for number in range(1, 12)]
    locked = attempt("10.0.1.1", "anna", CONSOLE_PASSWORD)
    other_account = attempt("10.0.1.2", "bob", CONSOLE_PASSWORD)
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()
    assert statuses[:10] == [401] * 10 and statuses[10] == 429
    assert locked == 429
    assert other_account == 302
