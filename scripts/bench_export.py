"""Benchmark: exports stream in flat memory however many checklists there are.

Fills two SQLite databases (small and 10x larger) through the sync path, downloads the long
CSV, the wide CSV and the JSON export of each, and prints the peak Python memory while
streaming (tracemalloc) and the ratio large/small. Flat memory means a ratio near 1.
A benchmark, not a test.
"""
import argparse
import json
import os
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="bench-export-"))

from flask_migrate import upgrade  # noqa: E402

from scripts.bench_sync import make_checklist  # noqa: E402
from server import create_app  # noqa: E402
from server.catalog.definitions import seed_shared  # noqa: E402
from server.extensions import db  # noqa: E402
from server.records.ingest import deliver  # noqa: E402
from server.models import ApiToken, Walk  # noqa: E402

EXPORTS = ["/api/v1/export/responses.csv?layout=long", "/api/v1/export/responses.csv?layout=wide",
           "/api/v1/export/responses.json"]


def filled_app(checklists):
    path = Path(tempfile.mkdtemp(prefix="bench-export-")) / "export.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        seed_shared()
        walk = db.session.execute(db.select(Walk).where(Walk.slug == "centre")).scalar_one()
        for start in range(0, checklists, 500):
            records = [make_checklist(i) for i in range(start, min(start + 500, checklists))]
            device = str(uuid.uuid4())
            deliver(walk, device, records, source="import", remote_addr="127.0.0.1")
        token, plaintext = ApiToken.issue("admin")
        db.session.add(token)
        db.session.commit()
        db.session.remove()
    return app, plaintext


def measure(app, token, url):
    """Stream one download; return (bytes, seconds, peak traced bytes)."""
    client = app.test_client()
    tracemalloc.start()
    began = time.perf_counter()
    reply = client.get(url, headers={"Authorization": f"Bearer {token}"}, buffered=False)
    size = sum(len(chunk) for chunk in reply.response)
    elapsed = time.perf_counter() - began
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    reply.close()
    return size, elapsed, peak


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=1000, help="checklists in the small database")
    parser.add_argument("--factor", type=int, default=10, help="how many times larger the large one is")
    args = parser.parse_args()
    sizes = [args.small, args.small * args.factor]
    apps = [filled_app(n) for n in sizes]
    results = {}
    for url in EXPORTS:
        for n, (app, token) in zip(sizes, apps):
            with app.app_context():
                results[(url, n)] = measure(app, token, url)
    for url in EXPORTS:
        small, large = results[(url, sizes[0])], results[(url, sizes[1])]
        print(f"{url}")
        for n, (size, seconds, peak) in ((sizes[0], small), (sizes[1], large)):
            print(f"  {n:>7} checklists: {size / 1e6:8.1f} MB in {seconds:6.2f} s, peak memory {peak / 1e6:6.2f} MB")
        print(f"  memory ratio large/small: {large[2] / small[2]:.2f} for {args.factor}x the data")
    print(json.dumps({"checklists": sizes}))


if __name__ == "__main__":
    main()
