"""Console sign-in, sessions, roles, CSRF and the create-user command."""
import html

import pytest

from server.config import from_environment
from server.extensions import db
from server.models import User
from tests.conftest import CONSOLE_PASSWORD, csrf_token, make_app, make_user, sign_in

ADMIN_PAGES = ["/admin/report", "/admin/downloads", "/admin/log", "/admin/tokens", "/admin/walks/new",
               "/admin/walks/libus/edit", "/admin/walks/libus/stations/new", "/admin/walks/libus/rotate-key"]
WALK_PAGES = ["/admin/", "/admin/walks", "/admin/walks/prague-7", "/admin/walks/prague-7/status", "/admin/import"]


def test_sign_in_opens_the_walks(client, seeded):
    """An admin who signs in lands on the list of walks with their Czech names intact."""
    make_user("anna")
    reply = sign_in(client, "anna")
    assert reply.status_code == 302 and reply.headers["Location"].endswith("/admin/walks")
    page = client.get("/admin/walks").get_data(as_text=True)
    assert "Prague 7: Holešovice and Letná" in page
    assert "Praha 7: Holešovice a Letná" in page
    assert "anna" in page


def test_wrong_password_is_refused(client, seeded):
    """A wrong password shows a message and lets nobody in."""
    make_user("anna")
    reply = sign_in(client, "anna", "not-the-password")
    assert reply.status_code == 401
    assert "The username or password is wrong." in reply.get_data(as_text=True)
    assert client.get("/admin/walks").status_code == 302


def test_inactive_user_cannot_sign_in(client, seeded):
    """A deactivated account is refused even with the right password."""
    make_user("old", active=False)
    assert sign_in(client, "old").status_code == 401


def test_sign_in_starts_a_fresh_session(client, seeded):
    """Whatever a session held before signing in is gone afterwards (no session fixation)."""
    make_user("anna")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    sign_in(client, "anna")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["user_id"] == db.session.execute(db.select(User.id)).scalar_one()


def test_sign_out_ends_the_session(client, seeded):
    """After signing out, console pages ask to sign in again."""
    make_user("anna")
    sign_in(client, "anna")
    token = csrf_token(client, "/admin/walks")
    reply = client.post("/admin/sign-out", data={"csrf_token": token})
    assert reply.status_code == 302
    assert client.get("/admin/walks").status_code == 302


def test_sign_in_returns_to_the_page_asked_for(client, seeded):
    """Opening a page before signing in brings the user back to it, never to another site."""
    make_user("anna")
    reply = client.get("/admin/report?walk=libus")
    assert reply.status_code == 302 and "/admin/sign-in?next=" in reply.headers["Location"]
    token = csrf_token(client)
    reply = client.post("/admin/sign-in", data={"username": "anna", "password": CONSOLE_PASSWORD,
                                                "csrf_token": token, "next": "/admin/report?walk=libus"})
    assert reply.headers["Location"].endswith("/admin/report?walk=libus")
    client.post("/admin/sign-out", data={"csrf_token": csrf_token(client, "/admin/walks")})
    token = csrf_token(client)
    reply = client.post("/admin/sign-in", data={"username": "anna", "password": CONSOLE_PASSWORD,
                                                "csrf_token": token, "next": "https://evil.example/"})
    assert reply.headers["Location"].endswith("/admin/walks")


@pytest.mark.parametrize("path", ADMIN_PAGES + WALK_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, seeded, path):
    """Every console page sends anonymous visitors to the sign-in form."""
    reply = client.get(path)
    assert reply.status_code == 302
    assert "/admin/sign-in" in reply.headers["Location"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_facilitators_cannot_open_admin_pages(client, seeded, path):
    """A facilitator gets the 'Not allowed' page on the report, downloads, log, tokens and walk editing."""
    make_user("fiona", "facilitator", walks=["libus"])
    sign_in(client, "fiona")
    reply = client.get(path)
    assert reply.status_code == 403
    assert "Not allowed" in reply.get_data(as_text=True)


def test_facilitators_see_only_their_walks(client, seeded):
    """A facilitator sees the walks they run and is refused the others."""
    make_user("fiona", "facilitator", walks=["libus"])
    sign_in(client, "fiona")
    listing = client.get("/admin/walks").get_data(as_text=True)
    assert "/admin/walks/libus" in listing and "/admin/walks/prague-7" not in listing
    assert client.get("/admin/walks/libus").status_code == 200
    assert client.get("/admin/walks/libus/status").status_code == 200
    assert client.get("/admin/walks/prague-7").status_code == 403
    assert client.get("/admin/walks/prague-7/status").status_code == 403
    page = client.get("/admin/walks/libus").get_data(as_text=True)
    assert "Replace the key" not in page and "Add a station" not in page


@pytest.mark.parametrize("path", ["/admin/walks/prague-7/close", "/admin/walks/prague-7/rotate-key",
                                  "/admin/tokens", "/admin/walks/prague-7/reopen"])
def test_facilitators_cannot_post_admin_forms(client, seeded, path):
    """A facilitator's form to close a walk, replace its key or make a token is refused."""
    make_user("fiona", "facilitator", walks=["prague-7"])
    sign_in(client, "fiona")
    token = csrf_token(client, "/admin/walks")
    reply = client.post(path, data={"csrf_token": token, "role": "admin", "label": "x"})
    assert reply.status_code == 403
    walk = seeded["prague-7"]
    db.session.refresh(walk)
    assert not walk.closed


def test_forms_without_a_token_are_refused(client, seeded):
    """A form posted without its CSRF token changes nothing and says why."""
    make_user("anna")
    reply = client.post("/admin/sign-in", data={"username": "anna", "password": CONSOLE_PASSWORD})
    assert reply.status_code == 400
    assert "nothing was changed" in reply.get_data(as_text=True)
    sign_in(client, "anna")
    reply = client.post("/admin/walks/prague-7/close")
    assert reply.status_code == 400
    db.session.refresh(seeded["prague-7"])
    assert not seeded["prague-7"].closed
    reply = client.post("/admin/walks/prague-7/close", data={"csrf_token": "forged"})
    assert reply.status_code == 400


def test_unknown_walk_shows_not_found(client, seeded):
    """A mistyped walk address shows a readable 'Not found' page, not JSON."""
    make_user("anna")
    sign_in(client, "anna")
    reply = client.get("/admin/walks/nowhere")
    assert reply.status_code == 404
    assert reply.mimetype == "text/html"
    assert "There is no walk 'nowhere'." in html.unescape(reply.get_data(as_text=True))


def test_sign_in_attempts_are_rate_limited(_schema):
    """Guessing passwords is slowed down: the 11th attempt in a minute is refused."""
    app = make_app(_schema, RATELIMIT_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        statuses = []
        for _ in range(11):
            token = csrf_token(client)
            statuses.append(client.post("/admin/sign-in", data={"username": "x", "password": "y",
                                                                "csrf_token": token}).status_code)
        db.session.remove()
        db.engine.dispose()
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429


def test_create_user_prompts_for_the_password(runner, seeded, client):
    """`flask create-user` makes an account that can sign in with the password typed twice."""
    result = runner.invoke(args=["create-user", "fiona", "--role", "facilitator", "--walk", "libus"],
                           input="a-long-secret-1\na-long-secret-1\n")
    assert result.exit_code == 0, result.output
    assert "Created facilitator 'fiona' for libus" in result.output
    user = db.session.execute(db.select(User).where(User.username == "fiona")).scalar_one()
    assert [w.slug for w in user.walks] == ["libus"]
    assert sign_in(client, "fiona", "a-long-secret-1").status_code == 302


def test_create_user_reads_the_password_from_stdin(runner, seeded, client):
    """Scripts can pass the password on standard input; an existing user needs --update."""
    result = runner.invoke(args=["create-user", "anna", "--role", "admin", "--password-stdin"],
                           input="correct horse battery\n")
    assert result.exit_code == 0, result.output
    assert sign_in(client, "anna", "correct horse battery").status_code == 302
    again = runner.invoke(args=["create-user", "anna", "--role", "admin", "--password-stdin"],
                          input="another password!\n")
    assert again.exit_code == 1 and "exists; add --update" in again.output
    updated = runner.invoke(args=["create-user", "anna", "--role", "admin", "--password-stdin", "--update"],
                            input="another password!\n")
    assert updated.exit_code == 0 and "Updated admin 'anna'" in updated.output


@pytest.mark.parametrize("args, message", [
    (["--role", "admin", "--password-stdin"], "at least 10 characters"),
    (["--role", "facilitator", "--password-stdin"], "A facilitator needs --walk"),
    (["--role", "facilitator", "--walk", "nowhere", "--password-stdin"], "No walk 'nowhere'"),
])
def test_create_user_explains_refusals(runner, seeded, args, message):
    """A short password, or a facilitator without a known walk, is refused with the reason."""
    result = runner.invoke(args=["create-user", "bob", *args], input="short\n")
    assert result.exit_code == 1
    assert message in result.output
    assert db.session.execute(db.select(User)).first() is None


@pytest.mark.parametrize("env, secure", [
    ({"PUBLIC_URL": "https://audit.example.org"}, True),
    ({"PUBLIC_URL": "http://localhost:5000"}, False),
    ({}, False),
    ({"PUBLIC_URL": "https://audit.example.org", "SESSION_COOKIE_SECURE": "0"}, False),
    ({"SESSION_COOKIE_SECURE": "1"}, True),
])
def test_session_cookie_is_https_only_when_served_over_https(monkeypatch, tmp_path, env, secure):
    """Behind HTTPS the console cookie is marked Secure unless the admin says otherwise."""
    for name in ("PUBLIC_URL", "SESSION_COOKIE_SECURE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert from_environment(tmp_path)["SESSION_COOKIE_SECURE"] is secure


def test_create_user_without_a_terminal_reads_the_password_without_warnings(app, tmp_path):
    """Run in a pipe (a script, a container), create-user takes the password line and prints no echo warning."""
    import os
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'users.db'}", "PYTHONWARNINGS": "default"}
    flask = [sys.executable, "-m", "flask", "--app", "server"]
    subprocess.run([*flask, "db", "upgrade"], cwd=root, env=env, check=True, capture_output=True)
    result = subprocess.run([*flask, "create-user", "gina", "--role", "admin"], cwd=root, env=env,
                            input="a-long-secret-1\n", capture_output=True, text=True, start_new_session=True)
    assert result.returncode == 0, result.stderr
    assert (result.stdout + result.stderr).strip() == "Created admin 'gina'; sign in at /admin."


@pytest.mark.parametrize("target", ["/admin/report\r\nSet-Cookie: x=1", "/admin/walks\n", "/admin\x00"])
def test_sign_in_with_a_broken_next_goes_to_the_walks(client, seeded, target):
    """A next= address holding CR, LF or other control characters is ignored: the page opens, sign-in goes to the walks."""
    make_user("anna")
    assert client.get("/admin/sign-in", query_string={"next": target}).status_code == 200
    reply = client.post("/admin/sign-in", data={"username": "anna", "password": CONSOLE_PASSWORD,
                                                "csrf_token": csrf_token(client), "next": target})
    assert reply.status_code == 302 and reply.headers["Location"].endswith("/admin/walks")
