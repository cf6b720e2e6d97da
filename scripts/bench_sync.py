"""Benchmark: answers per second through POST /walks/<walk>/sync under gunicorn, against raw inserts.

Prints, measured in one run per database (SQLite, and PostgreSQL when TEST_DATABASE_URL or
--database-url names one; that database is emptied first):
  ratio 1 = sync answers/s (batches of 200 checklists x 30 answers) / raw executemany answers/s
            (the same answer rows, inserted by the database driver alone into a table like `answers`)
  ratio 2 = batched sync answers/s / one-checklist-per-request sync answers/s
  reference (SQLite): a bare Flask endpoint (json.loads + sqlite3 executemany, no validation, no log,
  no idempotency) under the same gunicorn, / raw executemany: the floor of HTTP and JSON alone
  bytes on the wire per 30-item checklist, gzip request, alone and within a batch of 200
A benchmark, not a test: the figures depend on the machine and its load.
"""
import argparse
import gzip
import http.client
import json
import os
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


PG_RAW_TABLE = """CREATE TABLE bench_raw_answers (id BIGSERIAL PRIMARY KEY, response_id VARCHAR(36) NOT NULL,
    item VARCHAR(32) NOT NULL, score SMALLINT, dont_know BOOLEAN NOT NULL, comment TEXT,
    station_code VARCHAR(16), answered_at TIMESTAMPTZ, UNIQUE (response_id, item))"""


def raw_postgres_seconds(batches, database_url):
    """Insert the same answer rows with psycopg's executemany (pipelined), one transaction per batch."""
    import psycopg

    with psycopg.connect(_libpq_url(database_url)) as connection:
        connection.execute("DROP TABLE IF EXISTS bench_raw_answers")
        connection.execute(PG_RAW_TABLE)
        connection.commit()
        began = time.perf_counter()
        for batch in batches:
            rows = answer_rows(batch)
            with connection.cursor() as cursor:
                cursor.executemany(INSERT_ANSWERS.replace("answers", "bench_raw_answers", 1).replace("?", "%s"),
                                   rows)
            connection.commit()
        elapsed = time.perf_counter() - began
        connection.execute("DROP TABLE bench_raw_answers")
        connection.commit()
    return elapsed


def _libpq_url(database_url):
    return database_url.replace("postgresql+psycopg://", "postgresql://", 1)


def empty_postgres(database_url):
    """Start from an empty database, as a fresh SQLite file does."""
    import psycopg

    with psycopg.connect(_libpq_url(database_url), autocommit=True) as connection:
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")


def wire_bytes():
    """Bytes of a gzip sync request per 30-item checklist: alone, and within a batch of 200."""
    device = str(uuid.uuid4())
    one = gzip.compress(json.dumps({"device_id": device, "responses": [make_checklist(7)]}).encode())
    batch = gzip.compress(json.dumps({"device_id": device,
                                      "responses": [make_checklist(i) for i in range(200)]}).encode())
    return len(one), len(batch) / 200


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


def measure(database_url, batches_count, singles_count):
    """Run the sync benchmark on one database; return a dict of timings."""
    server = Gunicorn(database_url, workers=2, threads=4)
    server.flask("seed")
    token = server.flask("create-token", "--role", "admin").strip().splitlines()[-1]
    try:
        server.start()
        connection = http.client.HTTPConnection("127.0.0.1", server.port)
        connection.request("GET", "/api/v1/admin/walks/centre", headers={"Authorization": f"Bearer {token}"})
        key = json.loads(connection.getresponse().read())["key"]
        connection.close()

        warmup = [[make_checklist(i) for i in range(20)]]
        post_all(server, key, [json.dumps({"device_id": str(uuid.uuid4()), "responses": b}) for b in warmup])

        batches = [[make_checklist(b * 200 + i) for i in range(200)] for b in range(batches_count)]
        bodies = [json.dumps({"device_id": str(uuid.uuid4()), "responses": batch}) for batch in batches]
        answers = sum(len(c["answers"]) for batch in batches for c in batch)
        sync_seconds = post_all(server, key, bodies)

        singles = [make_checklist(10_000_000 + i) for i in range(singles_count)]
        single_bodies = [json.dumps({"device_id": str(uuid.uuid4()), "responses": [c]}) for c in singles]
        single_answers = sum(len(c["answers"]) for c in singles)
        single_seconds = post_all(server, key, single_bodies)
    finally:
        server.stop()
    return {"batches": batches, "bodies": bodies, "answers": answers, "sync": sync_seconds,
            "single_answers": single_answers, "single": single_seconds}


def report(name, run, raw_seconds, batches_count, singles_count):
    answers = run["answers"]
    sync_rate, raw_rate = answers / run["sync"], answers / raw_seconds
    single_rate = run["single_answers"] / run["single"]
    print(f"database: {name}")
    print(f"  batched sync   : {batches_count} requests x 200 checklists x 30 answers = {answers} answers "
          f"in {run['sync']:.3f} s -> {sync_rate:,.0f} answers/s")
    print(f"  raw executemany: same {answers} rows in {raw_seconds:.3f} s -> {raw_rate:,.0f} answers/s")
    print(f"  single sync    : {singles_count} requests x 1 checklist = {run['single_answers']} answers "
          f"in {run['single']:.3f} s -> {single_rate:,.0f} answers/s")
    print(f"  ratio sync/raw executemany        : {sync_rate / raw_rate:.3f}  (aim >= 0.5)")
    print(f"  ratio batched/one-per-request sync: {sync_rate / single_rate:.1f}x (aim >= 10x)")
    return raw_rate


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, default=10, help="batches of 200 checklists (default 10)")
    parser.add_argument("--singles", type=int, default=200, help="one-checklist requests (default 200)")
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"),
                        help="also benchmark this PostgreSQL database, emptied first (default: TEST_DATABASE_URL)")
    parser.add_argument("--skip-sqlite", action="store_true", help="only the PostgreSQL run")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    if not args.skip_sqlite:
        database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
        run = measure(database_url, args.batches, args.singles)
        raw_seconds = raw_insert_seconds(run["batches"], workdir / "raw.sqlite3")
        bare = Gunicorn(database_url, workers=2, threads=4, app="scripts.bench_sync:bare_app()",
                        env={"BARE_DATABASE": str(workdir / "bare.sqlite3")})
        bare.start(probe="/")
        try:
            bare_seconds = post_all(bare, "", run["bodies"])
        finally:
            bare.stop()
        raw_rate = report("SQLite (fresh file)", run, raw_seconds, args.batches, args.singles)
        bare_rate = run["answers"] / bare_seconds
        print(f"  bare Flask     : same requests, json.loads + executemany only, in {bare_seconds:.3f} s "
              f"-> {bare_rate:,.0f} answers/s")
        print(f"  ratio bare Flask/raw executemany  : {bare_rate / raw_rate:.3f}  (reference: no validation, log "
              "or idempotency)")
    if args.database_url and args.database_url.startswith(("postgresql", "postgres")):
        empty_postgres(args.database_url)
        run = measure(args.database_url, args.batches, args.singles)
        raw_seconds = raw_postgres_seconds(run["batches"], args.database_url)
        report(f"PostgreSQL ({args.database_url.rsplit('/', 1)[-1]})", run, raw_seconds, args.batches, args.singles)
    alone, within = wire_bytes()
    print(f"bytes on the wire per 30-item checklist (gzip request): {alone} alone, {within:.0f} within a batch "
          "of 200 (aim <= 1 KB)")


if __name__ == "__main__":
    main()
