"""The sync rules hold through a real gunicorn with several worker processes."""
import gzip
import json
import socket
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import TEST_DATABASE_URL, make_answer, make_app, make_record
from tests.serve import Gunicorn

pytestmark = pytest.mark.gunicorn


def call(url, method="GET", body=None, headers=None, timeout=30):
    """Send a request; return (status, parsed JSON body)."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture(scope="module")
def server(tmp_path_factory, _schema):
    """Gunicorn with 2 workers on a seeded database."""
    database_url = TEST_DATABASE_URL or f"sqlite:///{tmp_path_factory.mktemp('gunicorn') / 'audit.sqlite3'}"
    if TEST_DATABASE_URL:
        make_app(_schema)  # empties the shared test database
    served = Gunicorn(database_url)
    served.flask("seed")
    served.token = served.flask("create-token", "--role", "admin").strip().splitlines()[-1]
    served.start()
    yield served
    served.stop()


def walk_key(server, slug):
    status, walk = call(f"{server.url}/api/v1/admin/walks/{slug}", headers={"Authorization": f"Bearer {server.token}"})
    assert status == 200
    return walk["key"]


def sync(server, slug, key, records, compress=False, timeout=30):
    body = json.dumps({"device_id": str(uuid.uuid4()), "responses": records}).encode()
    headers = {"X-Walk-Key": key, "Content-Type": "application/json"}
    if compress:
        body, headers["Content-Encoding"] = gzip.compress(body), "gzip"
    return call(f"{server.url}/api/v1/walks/{slug}/sync", "POST", body, headers, timeout)


def test_batch_resent_through_gunicorn_is_duplicate(server):
    """A gzip batch sent twice through gunicorn is accepted once, then reported duplicate."""
    key = walk_key(server, "libus")
    records = [make_record([make_answer("vs1", 4, station="LI-2")]) for _ in range(20)]
    status, reply = sync(server, "libus", key, records, compress=True)
    assert status == 200 and {r["status"] for r in reply["results"]} == {"accepted"}
    status, reply = sync(server, "libus", key, records)
    assert {r["status"] for r in reply["results"]} == {"duplicate"}


def test_parallel_devices_across_workers_store_each_checklist_once(server):
    """Eight phones syncing the same 30 checklists at once, across worker processes, store 30."""
    key = walk_key(server, "centre")
    records = [make_record([make_answer(f"ue{i}", i % 5 + 1, station="CE-1") for i in range(1, 11)])
               for _ in range(30)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(lambda _: sync(server, "centre", key, records), range(8)))
    assert [status for status, _ in replies] == [200] * 8
    accepted = sum(r["status"] == "accepted" for _, reply in replies for r in reply["results"])
    assert accepted == 30
    status, report = call(f"{server.url}/api/v1/report?checklist=integra-city-audit&walk=centre",
                          headers={"Authorization": f"Bearer {server.token}"})
    assert report["responses"] == 30
    ue1 = report["topics"][2]["items"][0]
    assert (ue1["id"], ue1["answered"]) == ("ue1", 30)


def test_errors_through_gunicorn_are_json(server):
    """Behind gunicorn too, errors are the JSON envelope."""
    status, body = call(f"{server.url}/api/v1/walks/centre/sync", "POST", b"{",
                        {"X-Walk-Key": walk_key(server, "centre"), "Content-Type": "application/json"})
    assert status == 400 and body["error"]["code"] == "malformed_json"
    status, body = call(f"{server.url}/api/v1/report")
    assert status == 401 and body["error"]["code"] == "unauthorized"


def raw_exchange(server, data):
    """Send raw bytes to the server; return (status, headers text, body) of its reply."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(data)
        reply = b""
        while chunk := connection.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    return int(head.split()[1]), head.decode("latin-1"), body


@pytest.mark.parametrize("request_bytes, status, words", [
    (b"GET /api/v1/report?checklist=" + b"x" * 5000 + b" HTTP/1.1\r\nHost: a\r\n\r\n", 414, "URI Too Long"),
    (b"GET /api/v1/walks HTTP/1.1\r\nHost: a\r\nX-Big: " + b"y" * 9000 + b"\r\n\r\n", 431,
     "Request Header Fields Too Large"),
    (b"NOT HTTP AT ALL\r\n\r\n", 400, "Bad Request"),
])
def test_errors_gunicorn_answers_itself_are_the_json_envelope(server, request_bytes, status, words):
    """A URL or header over gunicorn's limits, or a request that is not HTTP, still gets the JSON envelope."""
    got, head, body = raw_exchange(server, request_bytes)
    assert got == status
    assert "Content-Type: application/json" in head
    error = json.loads(body)["error"]
    assert error["message"].startswith(words) and error["code"] and "<html" not in body.decode()


class Trickle:
    """Connections that send a request one byte a second: in their headers, in a sync body, in an admin body."""

    def __init__(self, server, key, count):
        sync_head = (f"POST /api/v1/walks/libus/sync HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Walk-Key: {key}\r\n"
                     "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n").encode()
        admin_head = (f"PUT /api/v1/admin/walks/centre HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      f"Authorization: Bearer {server.token}\r\nContent-Type: application/json\r\n"
                      "Content-Length: 100000\r\n\r\n").encode()
        self.connections = []
        for index in range(count):
            connection = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            connection.sendall([sync_head[:20], sync_head, admin_head][index % 3])
            self.connections.append(connection)
        self.running = True
        self.thread = threading.Thread(target=self._send, daemon=True)
        self.thread.start()

    def _send(self):
        while self.running:
            for connection in self.connections:
                try:
                    connection.send(b" ")
                except OSError:
                    pass
            time.sleep(1)

    def close(self):
        self.running = False
        self.thread.join()
        for connection in self.connections:
            connection.close()


def test_slow_clients_do_not_delay_a_sync(server):
    """A hundred connections trickling a byte a second leave another phone's sync within a second of its usual time."""
    key = walk_key(server, "libus")

    def timed_sync():
        records = [make_record([make_answer("vs1", 4, station="LI-2")]) for _ in range(5)]
        started = time.monotonic()
        try:
            status, reply = sync(server, "libus", key, records, timeout=10)
        except OSError:  # timed out behind the slow clients
            return 10.0
        assert status == 200 and {r["status"] for r in reply["results"]} == {"accepted"}
        return time.monotonic() - started

    baseline = max(timed_sync() for _ in range(3))
    trickle = Trickle(server, key, 100)
    try:
        time.sleep(1.5)  # every slow connection has been accepted and is sending
        slowed = max(timed_sync() for _ in range(3))
    finally:
        trickle.close()
    assert slowed < baseline + 1.0, (baseline, slowed)
