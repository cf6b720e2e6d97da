"""Fixtures: a fresh app and database per test, on SQLite or on TEST_DATABASE_URL."""
import html
import json
import os
import re
import tempfile
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pypdfium2
import pytest
from flask_migrate import upgrade

os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="city-audit-test-"))

from server import create_app  # noqa: E402
from server.catalog.definitions import seed_shared  # noqa: E402
from server.extensions import db as _db  # noqa: E402
from server.models import ApiToken, Walk  # noqa: E402

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
PUBLIC_URL = "https://audit.example.org"


def app_config(database_url, **overrides):
    """Return the config tests run with; rate limits are off unless a test turns them on."""
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test-secret",
            "RATELIMIT_ENABLED": False, "PUBLIC_URL": PUBLIC_URL, **overrides}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """The database the suite runs on: TEST_DATABASE_URL, else a SQLite file."""
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(scope="session")
def _schema(database_url):
    """Build the schema once per run through the migrations, as a deployment does."""
    app = create_app(app_config(database_url))
    with app.app_context():
        _db.drop_all()
        with _db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        upgrade(directory=app.extensions["migrate"].directory)
        _db.engine.dispose()
    return database_url


def clear_database():
    """Delete every row, children first."""
    _db.session.rollback()
    for table in reversed(_db.metadata.sorted_tables):
        _db.session.execute(table.delete())
    _db.session.commit()


def make_app(database_url, **overrides):
    """Create an app on a cleared database, for tests that need their own config."""
    app = create_app(app_config(database_url, **overrides))
    with app.app_context():
        clear_database()
        _db.session.remove()
        _db.engine.dispose()  # no pooled connection outlives the app unclosed
    return app


@contextmanager
def seeded_app(database_url, **overrides):
    """An app with its own config on a freshly seeded database; yields (app, {slug: Walk}).

    The app context stays pushed inside the block, like the `app` fixture's.
    """
    app = make_app(database_url, **overrides)
    with app.app_context():
        seed_shared()
        walks = {walk.slug: walk for walk in _db.session.execute(_db.select(Walk)).scalars()}
        try:
            yield app, walks
        finally:
            _db.session.remove()
            _db.engine.dispose()


@pytest.fixture
def app(_schema):
    """A fresh app on an empty database (tables exist, no rows)."""
    app = make_app(_schema)
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    """The SQLAlchemy handle, bound to the test app."""
    return _db


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner of the app."""
    return app.test_cli_runner()


@pytest.fixture
def seeded(app):
    """The INTEGRA checklist and the three Prague walks, loaded."""
    seed_shared()
    return {walk.slug: walk for walk in _db.session.execute(_db.select(Walk)).scalars()}


def make_token(role="admin", walks=(), label=None):
    """Create an API token; return its plaintext."""
    rows = [_db.session.execute(_db.select(Walk).where(Walk.slug == slug)).scalar_one() for slug in walks]
    token, plaintext = ApiToken.issue(role, rows, label)
    _db.session.add(token)
    _db.session.commit()
    return plaintext


@pytest.fixture
def admin_headers(app):
    """Authorization headers of an admin token."""
    return {"Authorization": f"Bearer {make_token('admin')}"}


def bearer(token):
    """Return Authorization headers for a token."""
    return {"Authorization": f"Bearer {token}"}


def make_answer(item, score=None, *, dont_know=False, comment=None, station=None, answered_at=None):
    """Return one answer in the sync format."""
    answer = {"item": item, "score": score, "dont_know": dont_know, "comment": comment, "station": station}
    if answered_at:
        answer["answered_at"] = answered_at
    return answer


def make_record(answers=(), *, record_id=None, revision=1, group="tcn", language="en",
                checklist="integra-city-audit", version=1, started=None):
    """Return one participant's checklist in the sync format."""
    started = started or datetime(2018, 6, 12, 10, 0, tzinfo=timezone.utc)
    return {
        "id": record_id or str(uuid.uuid4()), "revision": revision, "checklist": checklist,
        "checklist_version": version, "participant": {"group": group, "language": language},
        "started_at": started.isoformat(), "updated_at": (started + timedelta(minutes=40)).isoformat(),
        "answers": list(answers),
    }


def post_sync(client, walk, records, *, device_id=None, key=None, headers=None):
    """POST a batch to a walk's sync endpoint with its key; return the response."""
    key = key if key is not None else walk.key
    body = {"device_id": device_id or str(uuid.uuid4()), "responses": list(records)}
    return client.post(f"/api/v1/walks/{walk.slug}/sync", json=body,
                       headers={"X-Walk-Key": key, **(headers or {})})


PRAGUE_2018 = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                           "shared_schema", "datasets", "integra-prague-2018.json")


def sync_prague_2018(client, walks, expected="accepted"):
    """Sync the 26 checklists that reproduce the 2018 Prague report; return the dataset (with "expected").

    Every record must come back with the `expected` status ("duplicate" when synced again).
    """
    with open(PRAGUE_2018, encoding="utf-8") as source:
        dataset = json.load(source)
    for batch in dataset["batches"]:
        walk = walks[batch["walk"]]
        reply = client.post(f"/api/v1/walks/{walk.slug}/sync", json=batch["request"],
                            headers={"X-Walk-Key": walk.key})
        assert reply.status_code == 200, reply.get_json()
        assert {result["status"] for result in reply.get_json()["results"]} == {expected}
    return dataset


CONSOLE_PASSWORD = "walk-the-city-2018"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def each_pdf_page(data, pages=slice(None)):
    """Yield (page, text page) of a PDF's pages (those `pages` picks, e.g. slice(-1, None) for the last),
    closing each before the next and the document at the end."""
    document = pypdfium2.PdfDocument(data)
    try:
        for index in range(len(document))[pages]:
            page = document[index]
            textpage = page.get_textpage()
            try:
                yield page, textpage
            finally:
                textpage.close()
                page.close()
    finally:
        document.close()


def make_user(username="admin", role="admin", walks=(), password=CONSOLE_PASSWORD, active=True):
    """Create a console user; facilitators run the walks named by slug."""
    from werkzeug.security import generate_password_hash

    from server.models import User
    rows = [_db.session.execute(_db.select(Walk).where(Walk.slug == slug)).scalar_one() for slug in walks]
    # A cheap hash keeps tests fast; the app checks any werkzeug hash, and sets strong ones itself.
    user = User(username=username, role=role, walks=rows, active=active,
                password_hash=generate_password_hash(password, method="pbkdf2:sha256:1000"))
    _db.session.add(user)
    _db.session.commit()
    return user


def csrf_token(client, path="/admin/sign-in"):
    """Open a console page and return the CSRF token of its forms."""
    page = client.get(path)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no form token on {path} ({page.status_code})"
    return match.group(1)


def sign_in(client, username="admin", password=CONSOLE_PASSWORD):
    """Sign in to the console through its form; return the reply to the form."""
    token = csrf_token(client)
    return client.post("/admin/sign-in", data={"username": username, "password": password, "csrf_token": token})


@pytest.fixture
def admin(client, seeded):
    """A client signed in to the console as an admin."""
    make_user("anna")
    sign_in(client, "anna")
    return client


def page_text(reply):
    """Return a page's text with HTML entities decoded."""
    return html.unescape(reply.get_data(as_text=True))
