"""schemathesis against the live app: every operation, with its checks, must do what the API description says.

The app runs on a seeded database (the three Prague walks and the 26 checklists of 2018) with an
admin token and a walk key, so that authenticated operations are exercised past their checks.
Each operation gets a bounded number of generated requests, valid and invalid. Any 5xx, any reply
that breaks its documented schema, media type or headers, any undocumented status, an operation
that ignores its credentials, or an invalid request accepted, fails the test.
"""
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from server import create_app
from server.api.docs import build_spec
from server.catalog.definitions import seed_shared
from server.extensions import db
from server.models import ApiToken, Walk, hash_secret, new_walk_key
from tests.conftest import app_config, make_app, sync_prague_2018

MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
TOKEN, KEY = "cat_fuzz" + new_walk_key(32), new_walk_key()
# Public and key-checked operations on one walk; an admin's changes (close, rotate its key, replace it)
# on another, so they do not lock the first walk's phones out of the operations tested after them.
PUBLIC_WALK, ADMIN_WALK, STATION = "prague-7", "libus", "LI-1"
CHECKLIST, AUDIT = "integra-city-audit", "prague-2018"
RECORD, DEVICE = "41fbb623-01a8-58db-947a-7cedf6f12b64", "cb07805a-4b10-5251-b495-bf4f48e56631"
# Generated values reach real rows: the walks', checklist's and audit's slugs, a station, a synced record.
PATH_VALUES = [
    (r"^/checklists/", {"path.slug": CHECKLIST}),
    (r"^/admin/audits/", {"path.slug": AUDIT}),
    (r"^/walks/", {"path.slug": PUBLIC_WALK}),
    (r"^/admin/walks/", {"path.slug": ADMIN_WALK}),
    (r"/stations/", {"path.code": STATION}),
    (r"^/admin/responses/", {"path.response_id": RECORD}),
    (r"^/admin/devices/", {"path.device_id": DEVICE}),
]
# Every check except those that judge a sequence of calls or demand that every valid request
# succeed (a schema-valid station may clash with another walk's code; a valid slug may name no walk).
CHECKS = {"positive_data_acceptance": {"enabled": False}, "use_after_free": {"enabled": False},
          "ensure_resource_availability": {"enabled": False}}


@schemathesis.serializer("audio/*")
def _audio(ctx, value):
    """Send a generated voice note's bytes as they are."""
    return value if isinstance(value, bytes) else str(value).encode()


class _Live:
    """The WSGI app schemathesis calls: whichever app the fixture made (the schema is built before it)."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


LIVE = _Live()


def _schema():
    config = SchemathesisConfig.from_dict({
        "generation": {"max-examples": MAX_EXAMPLES, "database": "none"},
        "checks": CHECKS,
        "phases": {"stateful": {"enabled": False}},
        "auth": {"openapi": {"bearer": {"bearer": TOKEN}, "walkKey": {"api_key": KEY}}},
        "operations": [
            *({"include-path-regex": path, "parameters": values} for path, values in PATH_VALUES),
            # A sync answers 200 to a batch with refused records, each with its reasons, and keeps them for
            # repair: the contract the walker app relies on. Its envelope is still refused with a 400.
            {"include-path-regex": "/sync$", "checks": {"negative_data_rejection": {"enabled": False}}},
        ],
    })
    # The document does not depend on the database: build it from an app that never opens one.
    spec = build_spec(create_app(app_config("sqlite://")))
    schema = schemathesis.openapi.from_dict(spec, config=config)
    schema.app = LIVE
    return schema


schema = _schema()


@pytest.fixture(scope="module")
def live(_schema):
    """The app on a database with the 2018 checklists, the admin token TOKEN and the public walk's key KEY."""
    app = make_app(_schema)
    with app.app_context():
        seed_shared()
        walks = {walk.slug: walk for walk in db.session.execute(db.select(Walk)).scalars()}
        walks[PUBLIC_WALK].key = KEY
        db.session.commit()
        sync_prague_2018(app.test_client(), walks)
        # An id no generated one is likely to name, so that revoking tokens leaves this one alone.
        db.session.add(ApiToken(id=2_000_000_000, token_hash=hash_secret(TOKEN), prefix=TOKEN[:8], role="admin",
                                label="fuzz", walks=[]))
        db.session.commit()
        db.session.remove()
        LIVE.app = app
        yield app
        db.session.remove()
        db.engine.dispose()


@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_api_does_what_its_description_says(case, live):
    """Generated requests get documented statuses, media types and bodies; none gets a 5xx."""
    case.call_and_validate()
