"""Benchmark: answers per second through POST /walks/<walk>/sync under gunicorn, against raw inserts.

Prints, measured in one run on SQLite:
  ratio 1 = sync answers/s (batches of 200 checklists x 30 answers) / raw executemany answers/s
  ratio 2 = batched sync answers/s / one-checklist-per-request sync answers/s
  reference: a bare Flask endpoint (json.loads + sqlite3 executemany, no validation, no log,
  no idempotency) under the same gunicorn, / raw executemany: the floor of HTTP and JSON alone
A benchmark, not a test: the figures depend on the machine and its load.
"""
import argparse
import http.client
import json
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.serve import Gunicorn  # noqa: E402

ITEMS = [f"vs{i}" for i in range(1, 9)] + [f"cp{i}" for i in range(1, 8)] + \
        [f"ue{i}" for i in range(1, 11)] + [f"at{i}" for i in range(1, 6)]
STATIONS = ["CE-1", "CE-2", "CE-3", "CE-4", "CE-5", "CE-6"]


def make_checklist(index):
    """One participant's 30 answers, as a phone sends them."""
    start = datetime(2018, 6, 26, 9, 0, tzinfo=timezone.utc) + timedelta(seconds=index)
    answers = []
    for n, item in enumerate(ITEMS):
        dont_know = (index + n) % 11 == 0
        answers.append({"item": item, "score": None if dont_know else (index + n) % 5 + 1, "dont_know": dont_know,
                        "comment": "Nádraží: špatné značení" if (index + n) % 13 == 0 else None,
                        "station": STATIONS[n % len(STATIONS)],
                        "answered_at": (start + timedelta(minutes=n)).isoformat()})
    return {"id": str(uuid.uuid4()), "revision": 1, "checklist": "integra-city-audit", "checklist_version": 1,
            "participant": {"group": ["tcn", "eu", "czech", "ngo", "city", "other"][index % 6], "language": "cs"},
            "started_at": start.isoformat(), "updated_at": (start + timedelta(hours=1)).isoformat(),
            "answers": answers}


def post_all(server, key, bodies):
    """POST each body over one keep-alive connection; return elapsed seconds."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    headers = {"Content-Type": "application/json", "X-Walk-Key": key}
    began = time.perf_counter()
    for body in bodies:
        connection.request("POST", "/api/v1/walks/centre/sync", body=body, headers=headers)
        reply = connection.getresponse()
        data = reply.read()
        if reply.status != 200 or b'"rejected"' in data:
            raise SystemExit(f"sync failed: {reply.status} {data[:300]!r}")
    elapsed = time.perf_counter() - began
    connection.close()
    return elapsed


ANSWERS_TABLE = """CREATE TABLE IF NOT EXISTS answers (id INTEGER PRIMARY KEY, response_id VARCHAR(36) NOT NULL,
    item VARCHAR(32) NOT NULL, score SMALLINT, dont_know BOOLEAN NOT NULL, comment TEXT,
    station_code VARCHAR(16), answered_at DATETIME, UNIQUE (response_id, item))"""
INSERT_ANSWERS = ("INSERT INTO answers (response_id, item, score, dont_know, comment, station_code, answered_at) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?)")


def answer_rows(batch):
    return [(c["id"], a["item"], a["score"], a["dont_know"], a["comment"], a["station"], a["answered_at"])
            for c in batch for a in c["answers"]]


def open_raw(database_path):
    connection = sqlite3.connect(database_path, timeout=30)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(ANSWERS_TABLE)
    return connection


def raw_insert_seconds(batches, database_path):
    """Insert the same answer rows with sqlite3 executemany, one transaction per batch."""
    connection = open_raw(database_path)
    began = time.perf_counter()
    for batch in batches:
        rows = answer_rows(batch)
        with connection:
            connection.executemany(INSERT_ANSWERS, rows)
    elapsed = time.perf_counter() - began
    connection.close()
    return elapsed


def bare_app():
    """A bare Flask endpoint: parse the batch, insert its answers, nothing else (the reference)."""
    import os
    import threading

    from flask import Flask, request

    app = Flask(__name__)
    local = threading.local()

    @app.post("/api/v1/walks/<slug>/sync")
    def bare_sync(slug):
        if not hasattr(local, "connection"):
            local.connection = open_raw(os.environ["BARE_DATABASE"])
        body = json.loads(request.get_data())
        with local.connection:
            local.connection.executemany(INSERT_ANSWERS, answer_rows(body["responses"]))
        return {"results": []}

    return app


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, default=10, help="batches of 200 checklists (default 10)")
    parser.add_argument("--singles", type=int, default=200, help="one-checklist requests (default 200)")
    parser.add_argument("--database-url", help="benchmark this database instead of a fresh SQLite file")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    database_url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    server = Gunicorn(database_url, workers=2, threads=4)
    server.flask("seed")
    token = server.flask("create-token", "--role", "admin").strip().splitlines()[-1]
    server.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.port)
        connection.request("GET", "/api/v1/admin/walks/centre", headers={"Authorization": f"Bearer {token}"})
        key = json.loads(connection.getresponse().read())["key"]
        connection.close()

        warmup = [[make_checklist(i) for i in range(20)]]
        post_all(server, key, [json.dumps({"device_id": str(uuid.uuid4()), "responses": b}) for b in warmup])

        batches = [[make_checklist(b * 200 + i) for i in range(200)] for b in range(args.batches)]
        bodies = [json.dumps({"device_id": str(uuid.uuid4()), "responses": batch}) for batch in batches]
        answers = sum(len(c["answers"]) for batch in batches for c in batch)
        sync_seconds = post_all(server, key, bodies)

        singles = [make_checklist(10_000_000 + i) for i in range(args.singles)]
        single_bodies = [json.dumps({"device_id": str(uuid.uuid4()), "responses": [c]}) for c in singles]
        single_answers = sum(len(c["answers"]) for c in singles)
        single_seconds = post_all(server, key, single_bodies)
    finally:
        server.stop()
    raw_seconds = raw_insert_seconds(batches, workdir / "raw.sqlite3")
    bare = Gunicorn(database_url, workers=2, threads=4, app="scripts.bench_sync:bare_app()",
                    env={"BARE_DATABASE": str(workdir / "bare.sqlite3")})
    bare.start(probe="/")
    try:
        bare_seconds = post_all(bare, "", bodies)
    finally:
        bare.stop()

    sync_rate = answers / sync_seconds
    raw_rate = answers / raw_seconds
    single_rate = single_answers / single_seconds
    print(f"database: {'SQLite (fresh file)' if not args.database_url else args.database_url}")
    print(f"batched sync   : {args.batches} requests x 200 checklists x 30 answers = {answers} answers "
          f"in {sync_seconds:.3f} s -> {sync_rate:,.0f} answers/s")
    print(f"raw executemany: same {answers} rows in {raw_seconds:.3f} s -> {raw_rate:,.0f} answers/s")
    print(f"single sync    : {args.singles} requests x 1 checklist = {single_answers} answers "
          f"in {single_seconds:.3f} s -> {single_rate:,.0f} answers/s")
    bare_rate = answers / bare_seconds
    print(f"bare Flask     : same requests, json.loads + executemany only, in {bare_seconds:.3f} s "
          f"-> {bare_rate:,.0f} answers/s")
    print(f"ratio sync/raw executemany        : {sync_rate / raw_rate:.3f}  (aim >= 0.5)")
    print(f"ratio bare Flask/raw executemany  : {bare_rate / raw_rate:.3f}  (reference: no validation, log "
          "or idempotency)")
    print(f"ratio batched/one-per-request sync: {sync_rate / single_rate:.1f}x (aim >= 10x)")


if __name__ == "__main__":
    main()
