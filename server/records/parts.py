"""What else a record carries or must pass, beside its answers: the places ingest calls out to.

A part is a small class that overrides what it needs and registers itself once, at import
(like a blueprint's routes): `register(PhotosPart())` at the bottom of its module. Ingest calls
every registered part for every batch, whatever the door (sync, backup import, repair, example
data), so a part's rule holds everywhere at once.

- `field` + `validate`: a key of the record the part reads (for example "photos"). `validate` is
  pure, runs with the other field checks, and returns the clean value kept in the record under
  that key (it then counts in the record's content hash, so an edit of it needs a new revision).
- `refuse`: inside the batch's write transaction, before a record is classified; it gets the ids of
  every record that has one (valid or not) and returns {record id: Refusal(code, message)}; those
  records are answered `rejected` with that code, even when their fields had errors too.
- `store`: inside the same transaction, after the responses and answers rows are written; it gets
  one `Written` per accepted record and writes its own table(s) in bulk. It is atomic with the batch.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Refusal:
    """Why a stored-side rule refuses a record: a code for machines, a message for people."""

    code: str
    message: str


@dataclass(frozen=True)
class Written:
    """An accepted record as it is stored: new, or a newer revision replacing `previous_revision`."""

    id: str
    record: dict
    new: bool
    previous_revision: int | None


class RecordPart:
    """A part of what ingest checks or stores for each record; subclasses override what they need."""

    name = None   # unique; registering the same name again replaces the part
    field = None  # the record's key this part reads, or None

    def validate(self, value, context, fail):
        """Check the field's value (present in the record); call fail(path, message); return the clean value."""
        return value

    def refuse(self, ids, walk):
        """Return {id: Refusal} for records that must not be stored (e.g. deleted ones); ids may be malformed."""
        return {}

    def store(self, walk, device_id, written):
        """Write this part's rows for the accepted records (list of Written) in the open transaction."""


_registry = {}


def register(part):
    """Make ingest call this part for every record from now on; return the part."""
    if not part.name:
        raise ValueError("a record part needs a name")
    _registry[part.name] = part
    return part


def registered():
    """Return the registered parts in registration order."""
    return tuple(_registry.values())


def unregister(name):
    """Stop calling the part of this name (tests register parts of their own)."""
    _registry.pop(name, None)
