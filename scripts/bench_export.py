"""Benchmark: downloads of 1M answers against a raw select-then-csv.writer of the same rows.

Fills a SQLite database (and, when TEST_DATABASE_URL or --database-url names one, that
PostgreSQL database, emptied first) with 1M answers through the one path in, then, each in
a fresh process so that its peak memory is its own:
  raw     = the driver's cursor selects the same answer rows with their checklist's columns,
            joined and ordered as the export does, and one csv.writer writes them
  long CSV, wide CSV, JSON and XLSX downloads through the app (streamed)
and prints seconds (wall and CPU), the ratio raw/download (aim >= 0.5 for the CSVs and JSON),
the peak RSS of each process (aim <= 200 MB) and the time of the report API over all answers
(aim < 0.5 s). A benchmark, not a test: the figures depend on the machine and its load.
"""
import argparse
import csv
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DOWNLOADS = {
    "long CSV": "/api/v1/export/responses.csv?layout=long",
    "wide CSV": "/api/v1/export/responses.csv?layout=wide",
    "JSON": "/api/v1/export/responses.json",
    "XLSX": "/api/v1/export/responses.xlsx",
}
REPORT = "/api/v1/report?checklist=integra-city-audit"
RAW_SELECT = """SELECT r.id, w.slug, r.device_id, r.revision, c.slug, c.version, r.participant_group,
    r.participant_language, r.started_at, r.updated_at, r.received_at, a.item, a.station_code, a.score,
    a.dont_know, a.comment, a.answered_at
    FROM responses r JOIN walks w ON w.id = r.walk_id JOIN checklists c ON c.id = r.checklist_id
    JOIN answers a ON a.response_id = r.id ORDER BY w.slug, r.started_at, r.id, a.id"""


def make_app(database_url):
    os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="bench-export-"))
    from server import create_app
    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False})


def fill(database_url, checklists):
    """Create the schema and deliver the checklists in batches of 500; return an admin token."""
    from flask_migrate import upgrade

    from scripts.bench_sync import make_checklist
    from server.catalog.definitions import seed_shared
    from server.extensions import db
    from server.models import ApiToken, Walk
    from server.records.ingest import deliver

    app = make_app(database_url)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        seed_shared()
        walk = db.session.execute(db.select(Walk).where(Walk.slug == "centre")).scalar_one()
        for start in range(0, checklists, 500):
            records = [make_checklist(i) for i in range(start, min(start + 500, checklists))]
            deliver(walk, str(uuid.uuid4()), records, source="import")
        token, plaintext = ApiToken.issue("admin")
        db.session.add(token)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return plaintext


def run_download(database_url, token, url):
    """In this process: stream one download through the app; return its size in bytes."""
    app = make_app(database_url)
    with app.app_context():
        reply = app.test_client().get(url, headers={"Authorization": f"Bearer {token}"}, buffered=False)
        if reply.status_code != 200:
            raise SystemExit(f"{url}: {reply.status_code} {reply.get_data()[:300]!r}")
        size = sum(len(chunk) for chunk in reply.response)
        reply.close()
    return size


def run_raw(database_url):
    """In this process: select the rows with the driver alone and write them with one csv.writer."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    size = 0
    if database_url.startswith("sqlite"):
        import sqlite3
        connection = sqlite3.connect(database_url.split("///", 1)[1])
        cursor = connection.execute(RAW_SELECT)
    else:
        import psycopg
        connection = psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://", 1))
        cursor = connection.cursor(name="bench_raw")  # server-side, as the export streams
        cursor.execute(RAW_SELECT)
    while rows := cursor.fetchmany(2000):
        writer.writerows(rows)
        size += len(buffer.getvalue().encode())
        buffer.seek(0)
        buffer.truncate()
    connection.close()
    return size


def run_report(database_url, token):
    """In this process: time the report API over every answer (after one warm-up call)."""
    app = make_app(database_url)
    with app.app_context():
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        client.get(REPORT, headers=headers)
        began = time.perf_counter()
        reply = client.get(REPORT, headers=headers)
        elapsed = time.perf_counter() - began
        if reply.status_code != 200:
            raise SystemExit(f"report: {reply.status_code}")
        return {"seconds": elapsed, "responses": reply.json["responses"]}


def peak_rss_mb():
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited across exec)."""
    status = Path("/proc/self/status").read_text()
    if "VmHWM:" in status:
        return int(status.split("VmHWM:")[1].split()[0]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(args):
    """Run one measurement in this process and print it as JSON."""
    began, cpu = time.perf_counter(), time.process_time()
    if args.child == "raw":
        result = {"bytes": run_raw(args.url)}
    elif args.child == "report":
        result = run_report(args.url, args.token)
    else:
        result = {"bytes": run_download(args.url, args.token, args.child)}
    result.update(wall=time.perf_counter() - began, cpu=time.process_time() - cpu, rss_mb=peak_rss_mb())
    print(json.dumps(result))


def measure(what, database_url, token=""):
    output = subprocess.run([sys.executable, __file__, "--child", what, "--url", database_url, "--token", token],
                            capture_output=True, text=True, check=True, cwd=ROOT).stdout
    return json.loads(output.strip().splitlines()[-1])


def bench(name, database_url, checklists, skip=()):
    began = time.perf_counter()
    token = fill(database_url, checklists)
    print(f"database: {name}, {checklists} checklists x 30 = {checklists * 30:,} answers "
          f"(filled in {time.perf_counter() - began:.0f} s)")
    raw = measure("raw", database_url)
    print(f"  {'raw select + csv.writer':24s}: {raw['bytes'] / 1e6:7.1f} MB in {raw['wall']:6.2f} s "
          f"(CPU {raw['cpu']:6.2f} s), peak RSS {raw['rss_mb']:5.0f} MB")
    for label, url in DOWNLOADS.items():
        if label in skip:
            continue
        got = measure(url, database_url, token)
        ratio = "" if label == "XLSX" else (f", ratio raw/download {raw['wall'] / got['wall']:.2f} "
                                            f"(CPU {raw['cpu'] / got['cpu']:.2f}; aim >= 0.5)")
        print(f"  {label:24s}: {got['bytes'] / 1e6:7.1f} MB in {got['wall']:6.2f} s (CPU {got['cpu']:6.2f} s), "
              f"peak RSS {got['rss_mb']:5.0f} MB{ratio}")
    report = measure("report", database_url, token)
    print(f"  {'report API':24s}: {report['responses']} checklists in {report['seconds']:.3f} s (aim < 0.5 s)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checklists", type=int, default=33_334, help="checklists of 30 answers (default: 1M answers)")
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"),
                        help="also benchmark this PostgreSQL database, emptied first (default: TEST_DATABASE_URL)")
    parser.add_argument("--skip-sqlite", action="store_true", help="only the PostgreSQL run")
    parser.add_argument("--skip-xlsx", action="store_true", help="leave out the XLSX download (the slowest)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--token", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    skip = ("XLSX",) if args.skip_xlsx else ()
    if not args.skip_sqlite:
        path = Path(tempfile.mkdtemp(prefix="bench-export-")) / "export.sqlite3"
        bench("SQLite", f"sqlite:///{path}", args.checklists, skip)
    if args.database_url and args.database_url.startswith(("postgresql", "postgres")):
        from scripts.bench_sync import empty_postgres
        empty_postgres(args.database_url)
        bench(f"PostgreSQL ({args.database_url.rsplit('/', 1)[-1]})", args.database_url, args.checklists, skip)


if __name__ == "__main__":
    main()
