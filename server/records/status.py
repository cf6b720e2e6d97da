"""What has arrived for a walk: the facilitator's view after (or during) a walk."""
from sqlalchemy import and_, distinct, func, or_, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Answer, MediaFile, Photo, Response, SyncLogEntry, as_utc
from .rules import REJECTED


def photo_counts(walk_id):
    """Return {"stored": n, "waiting": m} for a walk's photos (waiting: metadata arrived, a file not yet)."""
    image, voice = aliased(MediaFile), aliased(MediaFile)
    held = and_(image.sha256.is_not(None), or_(Photo.voice_sha256.is_(None), voice.sha256.is_not(None)))
    total, stored = db.session.execute(
        select(func.count(), func.count().filter(held)).select_from(Photo)
        .outerjoin(image, image.sha256 == Photo.sha256)
        .outerjoin(voice, voice.sha256 == Photo.voice_sha256)
        .where(Photo.walk_id == walk_id)).one()
    return {"stored": stored, "waiting": total - stored}


def walk_status(walk, refused_limit=50):
    """Count checklists per station and device, and list the latest refused records."""
    checklists = db.session.execute(
        select(func.count()).select_from(Response).where(Response.walk_id == walk.id)).scalar_one()
    per_station = {
        code: (responses, answers) for code, responses, answers in db.session.execute(
            select(Answer.station_code, func.count(distinct(Answer.response_id)), func.count())
            .join(Response, Answer.response_id == Response.id)
            .where(Response.walk_id == walk.id)
            .group_by(Answer.station_code))
    }
    stations = [{"code": s.code, "title": s.title, "checklists": per_station.get(s.code, (0, 0))[0],
                 "answers": per_station.get(s.code, (0, 0))[1]} for s in walk.stations]

    received = dict(db.session.execute(
        select(Response.device_id, func.count()).where(Response.walk_id == walk.id)
        .group_by(Response.device_id)).all())
    log_rows = db.session.execute(
        select(SyncLogEntry.device_id, func.max(SyncLogEntry.received_at),
               func.count().filter(SyncLogEntry.outcome == REJECTED,
                                   SyncLogEntry.superseded_by.is_(None)))
        .where(SyncLogEntry.walk_slug == walk.slug, SyncLogEntry.device_id.is_not(None))
        .group_by(SyncLogEntry.device_id)).all()
    devices = {device: {"device_id": device, "checklists": received.get(device, 0), "last_sync": as_utc(last),
                        "refused": refused} for device, last, refused in log_rows}
    for device, count in received.items():
        devices.setdefault(device, {"device_id": device, "checklists": count, "last_sync": None, "refused": 0})

    refused = db.session.execute(
        select(SyncLogEntry)
        .where(SyncLogEntry.walk_slug == walk.slug, SyncLogEntry.outcome == REJECTED,
               SyncLogEntry.superseded_by.is_(None))
        .order_by(SyncLogEntry.id.desc()).limit(refused_limit)).scalars()
    return {
        "walk": walk.slug, "closed": walk.refuses_records, "checklists": checklists, "photos": photo_counts(walk.id),
        "stations": stations,
        "devices": sorted(devices.values(), key=lambda d: d["device_id"]),
        "refused": [{"log_id": e.id, "received_at": as_utc(e.received_at), "device_id": e.device_id,
                     "response_id": e.response_id, "errors": e.errors} for e in refused],
    }
