"""A photo upload cut off by a killed server: the file is stored once, whole, on the next try."""
import json
import os
import signal
import socket
import urllib.error
import urllib.request
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import TEST_DATABASE_URL, make_app, make_record
from tests.photos import clean_jpeg, photo_meta, sha
from tests.serve import Gunicorn

pytestmark = pytest.mark.gunicorn


def call(url, method="GET", body=None, headers=None):
    """Send a request; return (status, body bytes)."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def children(pid):
    """Return the ids of a process's children (gunicorn's workers)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def test_upload_killed_midway_is_completed_by_the_next_sync(tmp_path, _schema):
    """gunicorn killed while a photo's bytes arrive: nothing half-stored; the retry stores it once, bytes intact."""
    database_url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    if TEST_DATABASE_URL:
        make_app(_schema)  # empties the shared test database
    env = {"MEDIA_URL": f"file://{tmp_path / 'media'}", "INSTANCE_PATH": str(tmp_path / "instance")}
    served = Gunicorn(database_url, workers=1, env=env)
    served.flask("seed")
    token = served.flask("create-token", "--role", "admin").strip().splitlines()[-1]
    served.start()
    try:
        status, body = call(f"{served.url}/api/v1/admin/walks/prague-7", headers={"Authorization": f"Bearer {token}"})
        key = json.loads(body)["key"]
        data = clean_jpeg(1600, 1200)
        photo = photo_meta(data)
        sync = {"device_id": str(uuid.uuid4()), "responses": [{**make_record(), "photos": [photo]}]}
        status, _ = call(f"{served.url}/api/v1/walks/prague-7/sync", "POST", json.dumps(sync).encode(),
                         {"X-Walk-Key": key, "Content-Type": "application/json"})
        assert status == 200

        # Half the file, then the server dies (SIGKILL: no clean-up runs).
        connection = socket.create_connection(("127.0.0.1", served.port))
        connection.sendall((f"PUT /api/v1/walks/prague-7/media/{sha(data)} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            f"X-Walk-Key: {key}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(data)}\r\n\r\n")
                           .encode() + data[:len(data) // 2])
        deadline = time.monotonic() + 20
        while not list((tmp_path / "media" / ".incoming").glob("*.part")) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert list((tmp_path / "media" / ".incoming").glob("*.part")), "the upload was under way"
        for pid in [*children(served.process.pid), served.process.pid]:
            os.kill(pid, signal.SIGKILL)
        served.process.wait(timeout=10)
        connection.close()
    finally:
        served.stop()

    again = Gunicorn(database_url, workers=1, env=env)
    again.start()
    try:
        media = f"{again.url}/api/v1/walks/prague-7/media/{sha(data)}"
        assert call(media, "HEAD", headers={"X-Walk-Key": key})[0] == 404
        assert call(media, "PUT", data, {"X-Walk-Key": key, "Content-Type": "image/jpeg"})[0] == 201
        assert call(media, "HEAD", headers={"X-Walk-Key": key})[0] == 200
        assert call(media, "PUT", data, {"X-Walk-Key": key, "Content-Type": "image/jpeg"})[0] == 200
        status, body = call(f"{again.url}/api/v1/admin/walks/prague-7/photos/{photo['id']}/file",
                            headers={"Authorization": f"Bearer {token}"})
        assert status == 200 and body == data
        status, body = call(f"{again.url}/api/v1/admin/walks/prague-7/status",
                            headers={"Authorization": f"Bearer {token}"})
        assert json.loads(body)["photos"] == {"stored": 1, "waiting": 0}
        stored = [p for p in (tmp_path / "media").rglob("*") if p.is_file() and not p.name.endswith(".part")]
        assert sorted(p.name for p in stored) == sorted([sha(data), f"{sha(data)}.thumb.jpg"])
    finally:
        again.stop()
