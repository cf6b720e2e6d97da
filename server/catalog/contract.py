"""The JSON Schemas in shared_schema/: the contract between the server and the walker app."""
import json
from functools import lru_cache

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from ..answer_rules import SHARED_SCHEMA_DIR  # noqa: F401 - where the contract lives, for the modules above

SCHEMA_NAMES = ("checklist", "audit", "walk", "sync-request", "sync-reply", "error")


@lru_cache(maxsize=1)
def _registry():
    resources = []
    for name in SCHEMA_NAMES:
        path = SHARED_SCHEMA_DIR / f"{name}.schema.json"
        if path.exists():
            schema = json.loads(path.read_text(encoding="utf-8"))
            resource = Resource.from_contents(schema)
            resources.append((schema.get("$id", path.name), resource))
            resources.append((path.name, resource))
    return Registry().with_resources(resources)


@lru_cache(maxsize=None)
def validator(name):
    """Return a Draft 2020-12 validator for one of the shared schemas."""
    path = SHARED_SCHEMA_DIR / f"{name}.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    return Draft202012Validator(schema, registry=_registry(), format_checker=FormatChecker())


def schema_errors(name, instance):
    """Validate an instance; return a list of {"path", "message"}, empty when valid."""
    errors = sorted(validator(name).iter_errors(instance), key=lambda e: list(e.absolute_path))
    return [{"path": "/".join(str(p) for p in error.absolute_path), "message": error.message}
            for error in errors]
