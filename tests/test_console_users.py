"""The console's Users page: create accounts, change roles and walks, reset passwords, deactivate."""
import pytest

from server.access.accounts import MAX_USERNAME_LENGTH
from server.extensions import db
from server.models import User
from tests.conftest import CONSOLE_PASSWORD, csrf_token, make_user, page_text, sign_in

NEW_PASSWORD = "Letná-park-2018"


class OtherBrowser:
    """A second person's browser: its requests run in their own app context, so no cached form token is shared."""

    def __init__(self, app):
        self.app, self.client = app, app.test_client()

    def _run(self, method, *args, **kwargs):
        with self.app.app_context():
            reply = getattr(self.client, method)(*args, **kwargs)
            reply.get_data()
            return reply

    def get(self, *args, **kwargs):
        """GET a page as this browser."""
        return self._run("get", *args, **kwargs)

    def post(self, *args, **kwargs):
        """POST a form as this browser."""
        return self._run("post", *args, **kwargs)


def user_named(username):
    """Return the stored user of that name, or None."""
    db.session.expire_all()
    return db.session.execute(db.select(User).where(User.username == username)).scalar_one_or_none()


def create(admin, username="fiona", role="facilitator", walks=("libus",), password=NEW_PASSWORD, confirmation=None):
    """Fill in the New user form as an admin; return the reply."""
    token = csrf_token(admin, "/admin/users/new")
    return admin.post("/admin/users/new", data={
        "csrf_token": token, "username": username, "role": role, "walks": list(walks), "password": password,
        "confirmation": password if confirmation is None else confirmation})


def edit(admin, user, role, walks=()):
    """Save the Role and walks form of a user; return the reply."""
    token = csrf_token(admin, f"/admin/users/{user.id}/edit")
    return admin.post(f"/admin/users/{user.id}/edit", data={"csrf_token": token, "role": role, "walks": list(walks)})


def deactivate(admin, user):
    """Confirm deactivating a user; return the reply."""
    token = csrf_token(admin, "/admin/users")
    return admin.post(f"/admin/users/{user.id}/deactivate", data={"csrf_token": token})


def visible_walks(client):
    """Return which of the Prague walks the client's walk list links to."""
    listing = client.get("/admin/walks").get_data(as_text=True)
    return {slug for slug in ("prague-7", "libus", "centre") if f'href="/admin/walks/{slug}"' in listing}


def set_password(admin, user, password=NEW_PASSWORD, confirmation=None):
    """Give a user a new password through the form on their page; return the reply."""
    token = csrf_token(admin, f"/admin/users/{user.id}/edit")
    return admin.post(f"/admin/users/{user.id}/password", data={
        "csrf_token": token, "password": password, "confirmation": password if confirmation is None else confirmation})


def test_users_page_lists_everyone(admin):
    """An admin finds Users in the menu and sees each user's role, walks, state and creation time."""
    make_user("fiona", "facilitator", walks=["libus", "centre"])
    make_user("old", active=False)
    page = page_text(admin.get("/admin/walks"))
    assert 'href="/admin/users"' in page
    reply = admin.get("/admin/users")
    assert reply.status_code == 200
    page = page_text(reply)
    assert "3 users" in page
    fiona = page[page.index(">fiona<"):page.index(">old<")]
    assert "facilitator" in fiona and "Libuš: SAPA marketplace" in fiona and "Active" in fiona and "UTC" in fiona
    assert "Inactive" in page[page.index(">old<"):]
    assert "(you)" in page[page.index(">anna<"):page.index(">fiona<")]


def test_new_facilitator_signs_in_and_sees_only_their_walk(admin, app):
    """A facilitator created for Libuš signs in with the password set for them and sees only Libuš."""
    reply = create(admin)
    assert reply.status_code == 302 and reply.headers["Location"].endswith("/admin/users")
    assert "fiona can now sign in as facilitator of libus." in page_text(admin.get("/admin/users"))
    fiona = OtherBrowser(app)
    assert sign_in(fiona, "fiona", NEW_PASSWORD).status_code == 302
    assert visible_walks(fiona) == {"libus"}
    assert fiona.get("/admin/walks/centre").status_code == 403
    assert 'href="/admin/users"' not in fiona.get("/admin/walks").get_data(as_text=True)


def test_changing_walks_moves_what_a_facilitator_sees(admin, app):
    """Moving a facilitator from Libuš to the centre changes their walks on their next click."""
    make_user("fiona", "facilitator", walks=["libus"])
    fiona = OtherBrowser(app)
    sign_in(fiona, "fiona")
    assert visible_walks(fiona) == {"libus"}
    edit_page = page_text(admin.get(f"/admin/users/{user_named('fiona').id}/edit"))
    assert 'value="libus" checked' in edit_page and 'value="centre" checked' not in edit_page
    reply = edit(admin, user_named("fiona"), "facilitator", ["centre"])
    assert reply.status_code == 302
    assert [w.slug for w in user_named("fiona").walks] == ["centre"]
    assert visible_walks(fiona) == {"centre"}
    assert fiona.get("/admin/walks/libus").status_code == 403


def test_promoting_a_facilitator_drops_their_walk_list(admin, app):
    """A facilitator made admin sees every walk and the admin pages; their ticked walks are not kept."""
    make_user("fiona", "facilitator", walks=["libus"])
    assert edit(admin, user_named("fiona"), "admin", ["libus"]).status_code == 302
    fiona = user_named("fiona")
    assert fiona.role == "admin" and fiona.walks == []
    client = OtherBrowser(app)
    sign_in(client, "fiona")
    assert visible_walks(client) == {"prague-7", "libus", "centre"}
    assert client.get("/admin/users").status_code == 200


def test_reset_password_replaces_the_old_one(admin, app):
    """After an admin sets a new password, the old one is refused and the new one signs in."""
    make_user("fiona", "facilitator", walks=["libus"])
    reply = set_password(admin, user_named("fiona"))
    assert reply.status_code == 302
    assert "fiona has a new password" in page_text(admin.get("/admin/users"))
    client = OtherBrowser(app)
    assert sign_in(client, "fiona", CONSOLE_PASSWORD).status_code == 401
    assert sign_in(client, "fiona", NEW_PASSWORD).status_code == 302


def test_reset_password_explains_a_mismatch(admin, app):
    """Two different passwords are refused with a message, and the old password still works."""
    make_user("fiona", "facilitator", walks=["libus"])
    reply = set_password(admin, user_named("fiona"), confirmation=NEW_PASSWORD + "x")
    assert reply.status_code == 400
    page = page_text(reply)
    assert "The password was not changed." in page and "The two passwords differ" in page
    assert sign_in(OtherBrowser(app), "fiona", CONSOLE_PASSWORD).status_code == 302


def test_deactivated_user_is_signed_out_and_refused(admin, app):
    """Deactivating asks first; then the user's open session ends on their next click and sign-in fails."""
    make_user("fiona", "facilitator", walks=["libus"])
    fiona = OtherBrowser(app)
    sign_in(fiona, "fiona")
    assert fiona.get("/admin/walks").status_code == 200
    assert fiona.get("/api/v1/admin/walks/libus/status").status_code == 200
    account = user_named("fiona")
    confirm = page_text(admin.get(f"/admin/users/{account.id}/deactivate"))
    assert "Deactivate fiona?" in confirm and "signed out on their next click" in confirm
    assert user_named("fiona").active, "opening the confirmation changes nothing"
    assert deactivate(admin, account).status_code == 302
    assert not user_named("fiona").active
    reply = fiona.get("/admin/walks")
    assert reply.status_code == 302 and "/admin/sign-in" in reply.headers["Location"]
    assert fiona.get("/api/v1/admin/walks/libus/status").status_code == 401
    assert sign_in(OtherBrowser(app), "fiona").status_code == 401
    token = csrf_token(admin, "/admin/users")
    assert admin.post(f"/admin/users/{account.id}/reactivate", data={"csrf_token": token}).status_code == 302
    assert sign_in(OtherBrowser(app), "fiona").status_code == 302


def test_deactivation_warns_about_the_users_tokens(admin):
    """Deactivating an admin warns that the API tokens they created stop working too."""
    bob = make_user("bob")
    token = csrf_token(admin, "/admin/tokens")
    admin.post("/admin/tokens", data={"csrf_token": token, "role": "admin", "label": "nightly backup"})
    anna = user_named("anna")
    assert "1 API token they created stops working too" in page_text(admin.get(f"/admin/users/{anna.id}/deactivate"))
    assert "API token" not in page_text(admin.get(f"/admin/users/{bob.id}/deactivate"))


def test_the_last_admin_cannot_lock_everyone_out(admin):
    """The only active admin can neither make themself a facilitator nor deactivate themself."""
    make_user("old-admin", active=False)
    anna = user_named("anna")
    reply = edit(admin, anna, "facilitator", ["libus"])
    assert reply.status_code == 400
    assert "You are the last active admin. Make another user an admin first" in page_text(reply)
    assert admin.get(f"/admin/users/{anna.id}/deactivate").status_code == 302
    reply = deactivate(admin, anna)
    assert reply.status_code == 302
    assert "You are the last active admin." in page_text(admin.get("/admin/users"))
    anna = user_named("anna")
    assert anna.role == "admin" and anna.active


def test_an_admin_may_step_down_when_another_remains(admin):
    """With a second active admin, an admin can make themself a facilitator and loses the Users page."""
    make_user("bob")
    reply = edit(admin, user_named("anna"), "facilitator", ["libus"])
    assert reply.status_code == 302 and reply.headers["Location"].endswith("/admin/walks")
    assert admin.get("/admin/users").status_code == 403


@pytest.mark.parametrize("fields, field_message", [
    ({"password": "too-short"}, "The password must have at least 10 characters."),
    ({"confirmation": "a-different-password"}, "The two passwords differ; type the same password twice."),
    ({"username": "anna"}, "A user 'anna' exists already"),
    ({"username": "  "}, "The username must have 1 to 80 characters."),
    ({"username": "x" * (MAX_USERNAME_LENGTH + 1)}, "The username must have 1 to 80 characters."),
    ({"walks": ()}, "A facilitator needs at least one walk: the walks they run."),
    ({"role": "owner"}, "Choose admin or facilitator."),
])
def test_new_user_form_explains_what_is_wrong(admin, fields, field_message):
    """A bad new-user form is shown again with the reason, keeps what was typed, and stores nobody."""
    reply = create(admin, **{"username": "fiona", **fields})
    assert reply.status_code == 400
    page = page_text(reply)
    assert field_message in page
    assert "Please correct the marked fields; nothing was saved." in page
    assert 'aria-invalid="true"' in page
    assert db.session.execute(db.select(db.func.count()).select_from(User)).scalar_one() == 1


def test_facilitator_needs_a_walk_when_edited(admin):
    """Unticking every walk of a facilitator is refused and their walks stay as they were."""
    fiona = make_user("fiona", "facilitator", walks=["libus"])
    reply = edit(admin, fiona, "facilitator", [])
    assert reply.status_code == 400
    assert "A facilitator needs at least one walk" in page_text(reply)
    assert [w.slug for w in user_named("fiona").walks] == ["libus"]


def test_czech_usernames_work(admin, app):
    """'Kateřina' can be created and sign in, even when the form sent the ř as r plus a combining caron."""
    assert create(admin, username="Kater\u030cina").status_code == 302
    assert user_named("Kateřina") is not None
    assert "Kateřina" in page_text(admin.get("/admin/users"))
    client = OtherBrowser(app)
    assert sign_in(client, "Kateřina", NEW_PASSWORD).status_code == 302
    assert "Kateřina" in page_text(client.get("/admin/walks"))
    assert create(admin, username="Kateřina").status_code == 400


USER_PAGES = ["/admin/users", "/admin/users/new", "/admin/users/1/edit", "/admin/users/1/deactivate"]


@pytest.mark.parametrize("path", USER_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, seeded, path):
    """The Users pages ask anonymous visitors to sign in first."""
    reply = client.get(path)
    assert reply.status_code == 302 and "/admin/sign-in" in reply.headers["Location"]


@pytest.mark.parametrize("path", USER_PAGES + ["POST /admin/users/new", "POST /admin/users/1/edit",
                                               "POST /admin/users/1/password", "POST /admin/users/1/deactivate"])
def test_facilitators_get_the_not_allowed_page(client, seeded, path):
    """A facilitator cannot open the Users pages nor change an account through their forms."""
    anna = make_user("anna")
    make_user("fiona", "facilitator", walks=["libus"])
    sign_in(client, "fiona")
    path = path.replace("/1/", f"/{anna.id}/")
    if path.startswith("POST "):
        token = csrf_token(client, "/admin/walks")
        reply = client.post(path[5:], data={"csrf_token": token, "username": "eve", "role": "admin",
                                             "password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    else:
        reply = client.get(path)
    assert reply.status_code == 403
    assert "Not allowed" in page_text(reply)
    anna = user_named("anna")
    assert anna.active and anna.check_password(CONSOLE_PASSWORD) and user_named("eve") is None


def test_forms_without_a_token_change_nothing(admin):
    """Every Users form posted without its CSRF token is refused with 400 and changes nothing."""
    fiona = make_user("fiona", "facilitator", walks=["libus"])
    data = {"username": "eve", "role": "admin", "password": NEW_PASSWORD, "confirmation": NEW_PASSWORD}
    for path in ["/admin/users/new", f"/admin/users/{fiona.id}/edit", f"/admin/users/{fiona.id}/password",
                 f"/admin/users/{fiona.id}/deactivate"]:
        reply = admin.post(path, data=data)
        assert reply.status_code == 400, path
        assert "nothing was changed" in page_text(reply)
    fiona = user_named("fiona")
    assert fiona.role == "facilitator" and fiona.active and fiona.check_password(CONSOLE_PASSWORD)
    assert user_named("eve") is None


def test_unknown_user_shows_not_found(admin):
    """A mistyped user address shows a readable 'Not found' page."""
    reply = admin.get("/admin/users/999/edit")
    assert reply.status_code == 404 and "There is no user #999." in page_text(reply)


def test_cli_follows_the_same_username_rules(runner, seeded, client):
    """`flask create-user` stores a Czech name the same way as the console and refuses an overlong one."""
    result = runner.invoke(args=["create-user", "Kater\u030cina", "--role", "admin", "--password-stdin"],
                           input=NEW_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert sign_in(client, "Kateřina", NEW_PASSWORD).status_code == 302
    result = runner.invoke(args=["create-user", "x" * 81, "--role", "admin", "--password-stdin"],
                           input=NEW_PASSWORD + "\n")
    assert result.exit_code == 1 and "The username must have 1 to 80 characters." in result.output


def test_a_new_password_ends_the_users_open_sessions(admin, app):
    """Someone signed in with the old password (a lost phone, a shared tablet) is signed out on their next click."""
    make_user("fiona", "facilitator", walks=["libus"])
    fiona = OtherBrowser(app)
    sign_in(fiona, "fiona")
    assert fiona.get("/api/v1/admin/walks/libus/status").status_code == 200
    set_password(admin, user_named("fiona"))
    reply = fiona.get("/admin/walks")
    assert reply.status_code == 302 and "/admin/sign-in" in reply.headers["Location"]
    assert fiona.get("/api/v1/admin/walks/libus/status").status_code == 401
    assert sign_in(fiona, "fiona", NEW_PASSWORD).status_code == 302
    assert fiona.get("/admin/walks").status_code == 200


def test_an_admin_changing_their_own_password_stays_signed_in_here_only(admin, app):
    """The admin's own reset keeps the session they made it from and ends their others."""
    elsewhere = OtherBrowser(app)
    sign_in(elsewhere, "anna")
    assert set_password(admin, user_named("anna")).status_code == 302
    assert "your other sessions are signed out" in page_text(admin.get("/admin/users"))
    assert admin.get("/admin/walks").status_code == 200
    assert "/admin/sign-in" in elsewhere.get("/admin/walks").headers["Location"]
