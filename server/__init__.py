"""City audit walks: the sync server and admin console (Flask application factory)."""
import logging
import os
import random
import sqlite3
import time

from flask import Flask, current_app, has_request_context, request
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from .access.auth import check_roles
from .config import from_environment
from .extensions import csrf, db, limiter, migrate
from .security import register_security_headers

MIGRATIONS_DIR = os.path.join(os.path.dirname(__file__), "migrations")


def create_app(config=None):
    """Create the app: config from the environment, overridden by `config`."""
    app = Flask(__name__, instance_path=os.environ.get("INSTANCE_PATH") or None)
    app.config.update(from_environment(app.instance_path))
    app.config.update(config or {})
    os.makedirs(app.instance_path, exist_ok=True)
    if app.config.get("TRUSTED_PROXIES", int(os.environ.get("TRUSTED_PROXIES", 0))):
        hops = int(app.config.get("TRUSTED_PROXIES") or os.environ.get("TRUSTED_PROXIES"))
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    logging.basicConfig(level=logging.INFO)
    register_extensions(app)
    register_security_headers(app)
    app.before_request(_read_body_first)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


# Requests that may write; their transactions take SQLite's write lock when they begin.
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOCK_WAIT_SECONDS = 30


def _begin_immediate(dbapi_connection):
    """Begin a transaction holding the write lock, waiting in short sleeps while another writer has it.

    The wait is a Python sleep, not SQLite's busy handler, so an asynchronous worker serves its
    other requests meanwhile.
    """
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    pause = 0.002
    while True:
        try:
            dbapi_connection.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error) or time.monotonic() > deadline:
                raise
        time.sleep(pause * random.uniform(0.5, 1.5))
        pause = min(pause * 2, 0.05)


def _tune_sqlite(engine):
    """WAL for concurrent readers, foreign keys on, and real transactions for the sync rules."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide where transactions begin (see "begin" below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Writers wait for the lock in _begin_immediate; SQLite itself waits only briefly (its wait
        # would block every request of an asynchronous worker).
        cursor.execute("PRAGMA busy_timeout=1000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        # Reads inside a transaction see one snapshot, so a concurrent writer is detected. A transaction
        # that starts as a read and writes later fails at once when another writer came between, so
        # writers take the lock up front: every transaction of a request that may write (POST, PUT,
        # PATCH, DELETE), and any that asks for it (write_transaction, for writes in a GET or the CLI).
        mode = connection.get_execution_options().get("sqlite_begin", "")
        if mode == "IMMEDIATE" or (has_request_context() and request.method in WRITE_METHODS):
            _begin_immediate(connection.connection.dbapi_connection)
        else:
            connection.exec_driver_sql(f"BEGIN {mode}".strip())


def _read_body_first():
    """Read a writing request's whole body before its view opens a database transaction.

    A client that sends its body slowly then holds only its own connection, never a database
    connection or SQLite's write lock. Runs after the rate limit and the CSRF check; views marked
    with api.util.streams_body (sync, media uploads) check the walk key first and read the body
    themselves, holding no connection meanwhile.
    """
    if request.method not in WRITE_METHODS:
        return
    view = current_app.view_functions.get(request.endpoint)
    if view is None or getattr(view, "streams_body", False):
        return
    roles = getattr(view, "required_roles", None)
    if roles:
        # The credentials are checked before a byte of the body is read, and the connection the
        # check used goes back to the pool while the body arrives.
        check_roles(roles)
        db.session.rollback()
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        request.form  # noqa: B018 - parsed now; uploaded files are spooled to disk
    else:
        request.get_data(cache=True)


def register_extensions(app):
    """Bind the extensions to the app."""
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    limiter.init_app(app)
    csrf.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _tune_sqlite(db.engine)


def register_blueprints(app):
    """Mount the API, the walker app and the admin console."""
    from . import api, web
    app.url_map.converters["app_file"] = web.AppFileConverter
    csrf.exempt(api.bp)  # the API authenticates by header, never by cookie alone
    app.register_blueprint(api.bp)
    app.register_blueprint(web.bp)
    from . import console
    app.register_blueprint(console.bp)


def register_errorhandlers(app):
    """Answer API errors with the JSON envelope."""
    from .errors import register_errorhandlers as register
    register(app)


def register_commands(app):
    """Add the flask CLI commands."""
    from .cli import register
    register(app)
