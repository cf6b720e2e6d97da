"""Migrations build the same schema the models describe, from an empty database."""
import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from server import create_app
from server.extensions import db
from tests.conftest import TEST_DATABASE_URL, app_config


@pytest.fixture
def empty_database(tmp_path):
    """A brand-new database: a SQLite file, or a fresh PostgreSQL database beside the test one."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    name = f"migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    base, _, _ = TEST_DATABASE_URL.rpartition("/")
    yield f"{base}/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_from_empty_matches_the_models(empty_database):
    """Upgrading an empty database to head leaves no difference from the models."""
    app = create_app(app_config(empty_database))
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        tables = set(inspect(db.engine).get_table_names())
        assert {"checklists", "walks", "stations", "responses", "answers", "sync_log", "users",
                "api_tokens", "alembic_version"} <= tables
        downgrade(directory=app.extensions["migrate"].directory, revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    """The default database keeps readers and the sync writer apart and enforces references."""
    app = create_app(app_config(f"sqlite:///{tmp_path / 'wal.sqlite3'}"))
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    """With no DATABASE_URL the app keeps its data in a SQLite file in its instance folder."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'city-audit.sqlite3'}"
    assert os.path.exists(tmp_path / "secret_key")
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/d")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == "postgresql://u@h/d"


def test_walks_made_before_walk_codes_get_one_each(empty_database):
    """Upgrading a database whose walks predate walk codes gives every walk its own printable code."""
    app = create_app(app_config(empty_database))
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="0006_trust")
        with db.engine.begin() as connection:
            for slug in ("north", "south"):
                connection.execute(text(
                    "INSERT INTO walks (slug, title, checklist_slug, checklist_version, key, old_keys, closed, "
                    "created_at) VALUES (:slug, '{\"en\": \"A walk\"}', 'integra-city-audit', 1, :key, '[]', "
                    ":closed, CURRENT_TIMESTAMP)"), {"slug": slug, "key": f"key-{slug}", "closed": False})
        upgrade(directory=directory)
        with db.engine.connect() as connection:
            codes = dict(connection.execute(text("SELECT slug, code FROM walks")).all())
        assert set(codes) == {"north", "south"} and codes["north"] != codes["south"]
        assert all(len(code) == 8 and not set(code) & set("01OI") for code in codes.values())
        downgrade(directory=directory, revision="base")
        db.engine.dispose()
