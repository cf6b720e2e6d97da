"""Benchmark: photo uploads through PUT /walks/<walk>/media/<sha256> under gunicorn, against raw storage writes.

The seed's PhotoVoice scale: 20 walkers at once, 8 photos each (160), about 400 KB per photo, as the
walker app sends them (JPEG, long edge 1600 px, no EXIF). Prints, measured in one run:
  upload MB/s    160 PUTs from 20 threads through gunicorn (hash check, decode, thumbnail, durable write)
  raw MB/s       the same files written straight to the same storage (FolderStorage.put_bytes, also durable),
                 from 20 threads
  ratio          upload / raw (aim: >= 0.5)
  worker CPU     the gunicorn workers' CPU time per photo, and the part of it the image check alone takes
  peak RSS       the highest VmHWM of the gunicorn workers, and their RSS before the uploads (aim: <= 200 MB)
A benchmark, not a test: the figures depend on the machine and its load.
"""
import argparse
import hashlib
import http.client
import io
import json
import os
import random
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image, ImageDraw  # noqa: E402

from server.media.images import check_file  # noqa: E402
from server.media.storage import FolderStorage, file_key  # noqa: E402
from tests.serve import Gunicorn  # noqa: E402

WALKERS, PER_WALKER = 20, 8
STATIONS = ["CE-1", "CE-2", "CE-3", "CE-4", "CE-5", "CE-6"]


def photo_files(count, target=400_000):
    """Return `count` distinct clean JPEGs of 1600×1200 px, about `target` bytes each."""
    rng = random.Random(2018)
    base = Image.new("RGB", (1600, 1200))
    draw = ImageDraw.Draw(base)
    for _ in range(2500):  # a busy street: many edges, as real photos have
        x, y = rng.randrange(1600), rng.randrange(1200)
        draw.rectangle((x, y, x + rng.randrange(4, 60), y + rng.randrange(4, 60)),
                       fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    quality = 85
    files = []
    for index in range(count):
        image = base.copy()
        marks = ImageDraw.Draw(image)
        for bit in range(12):  # the index as black and white blocks: no two files share their bytes
            marks.rectangle((10 + 24 * bit, 10, 33 + 24 * bit, 33), fill="white" if index >> bit & 1 else "black")
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality)
        if index == 0:  # tune the quality once so the files come out near the target size
            while out.tell() > target * 1.15 and quality > 30:
                quality -= 5
                out = io.BytesIO()
                image.save(out, "JPEG", quality=quality)
        files.append(out.getvalue())
    if len({hashlib.sha256(data).digest() for data in files}) != count:
        raise SystemExit("the generated photos are not all different")
    return files


def checklist(photos, walker):
    """One walker's checklist naming their photos."""
    return {"id": str(uuid.uuid4()), "revision": 1, "checklist": "integra-city-audit", "checklist_version": 1,
            "participant": {"group": "tcn", "language": "cs"}, "started_at": "2018-06-26T09:00:00+02:00",
            "updated_at": "2018-06-26T10:00:00+02:00", "answers": [],
            "photos": [{"id": str(uuid.uuid4()), "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
                        "content_type": "image/jpeg", "width": 1600, "height": 1200,
                        "station": STATIONS[(walker + n) % len(STATIONS)], "topic": None, "item": None,
                        "caption": f"Photo {n} of walker {walker}", "rating": "works" if n % 2 else "needs_change",
                        "taken_at": "2018-06-26T09:30:00+02:00", "voice": None} for n, data in enumerate(photos)]}


def rss(pid, field):
    """Return a process's VmRSS or VmHWM (peak) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid):
    """Return a process's user + system CPU time in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def check_cpu_ms(files):
    """Return the CPU ms per file of the server's own image check (decode, thumbnail), run here one by one."""
    with tempfile.NamedTemporaryFile(suffix=".jpg") as handle:
        began = time.process_time()
        for data in files:
            handle.seek(0)
            handle.truncate()
            handle.write(data)
            handle.flush()
            check_file(handle.name, "image/jpeg")
        return (time.process_time() - began) * 1000 / len(files)


def workers(server):
    path = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    return [int(pid) for pid in path.read_text().split()]


def upload(server, key, files):
    """PUT one walker's files one after another over one connection; raise on any failure."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    for data in files:
        connection.request("PUT", f"/api/v1/walks/centre/media/{hashlib.sha256(data).hexdigest()}", body=data,
                           headers={"X-Walk-Key": key, "Content-Type": "image/jpeg"})
        reply = connection.getresponse()
        body = reply.read()
        if reply.status != 201:
            raise SystemExit(f"upload failed: {reply.status} {body[:300]!r}")
    connection.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    args = parser.parse_args()
    files = photo_files(WALKERS * PER_WALKER)
    total_mb = sum(map(len, files)) / 1e6
    print(f"{len(files)} photos, {total_mb:.1f} MB, {total_mb / len(files) * 1000:.0f} KB each on average")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        server = Gunicorn(f"sqlite:///{folder / 'bench.sqlite3'}", workers=args.workers, threads=args.threads,
                          env={"MEDIA_URL": f"file://{folder / 'media'}", "INSTANCE_PATH": str(folder / "instance")})
        server.flask("seed")
        token = server.flask("create-token", "--role", "admin").strip().splitlines()[-1]
        server.start()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            connection.request("GET", "/api/v1/admin/walks/centre", headers={"Authorization": f"Bearer {token}"})
            key = json.loads(connection.getresponse().read())["key"]
            groups = [files[i * PER_WALKER:(i + 1) * PER_WALKER] for i in range(WALKERS)]
            body = json.dumps({"device_id": str(uuid.uuid4()),
                               "responses": [checklist(group, n) for n, group in enumerate(groups)]})
            connection.request("POST", "/api/v1/walks/centre/sync", body=body,
                               headers={"Content-Type": "application/json", "X-Walk-Key": key})
            reply = connection.getresponse().read()
            assert b'"rejected"' not in reply, reply[:300]
            connection.close()
            pids = workers(server)
            before = max(rss(pid, "VmRSS") for pid in pids)
            cpu_before = sum(cpu_seconds(pid) for pid in pids)
            began = time.perf_counter()
            with ThreadPoolExecutor(WALKERS) as pool:
                list(pool.map(lambda group: upload(server, key, group), groups))
            upload_s = time.perf_counter() - began
            worker_cpu_ms = (sum(cpu_seconds(pid) for pid in pids) - cpu_before) * 1000 / len(files)
            peak = max(rss(pid, "VmHWM") for pid in pids)
        finally:
            server.stop()
        raw = FolderStorage(folder / "raw")
        began = time.perf_counter()
        with ThreadPoolExecutor(WALKERS) as pool:
            list(pool.map(lambda data: raw.put_bytes(file_key(hashlib.sha256(data).hexdigest()), data,
                                                     "image/jpeg"), files))
        raw_s = time.perf_counter() - began
    print(f"upload: {total_mb / upload_s:.1f} MB/s ({upload_s:.2f} s, {len(files) / upload_s:.0f} photos/s) "
          f"through gunicorn, {args.workers} workers x {args.threads} threads")
    print(f"raw:    {total_mb / raw_s:.1f} MB/s ({raw_s:.2f} s) writing the same files to the same storage")
    print(f"ratio upload/raw: {raw_s / upload_s:.2f} (aim >= 0.5)")
    print(f"worker CPU: {worker_cpu_ms:.1f} ms per photo, of which the image check (decode, thumbnail) "
          f"{check_cpu_ms(files[:40]):.1f} ms; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"worker RSS: {before:.0f} MB before the uploads, peak {peak:.0f} MB (aim <= 200 MB)")


if __name__ == "__main__":
    main()
