"""Helpers for photo tests: images with GPS in their EXIF, photo metadata, and a moto S3 server."""
import hashlib
import io
import os
import socket
import subprocess
import sys
import time
import uuid
from functools import lru_cache

from PIL import Image, ImageDraw

GPS_IFD = 0x8825


@lru_cache(maxsize=4)
def jpeg_with_gps(width=4000, height=3000, quality=80, orientation=None):
    """Return a JPEG like a phone's: full size, with GPS coordinates (Prague) and a camera name in EXIF."""
    image = Image.new("RGB", (width, height), (200, 80, 40))
    draw = ImageDraw.Draw(image)
    draw.rectangle((width // 4, height // 4, width // 2, height // 2), fill=(20, 120, 220))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if orientation:
        exif[0x0112] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (50.0, 5.0, 30.0), 3: "E", 4: (14.0, 25.0, 10.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, exif=exif)
    return out.getvalue()


def clean_jpeg(width=1200, height=900, color=(90, 160, 90)):
    """Return a JPEG without metadata, as the walker app sends."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "JPEG", quality=80)
    return out.getvalue()


def sha(data):
    """Return the SHA-256 hex digest of bytes."""
    return hashlib.sha256(data).hexdigest()


def photo_meta(data, *, station="P7-1", caption="A ramp at the entrance", rating="works", photo_id=None,
               content_type="image/jpeg", voice=None, topic="environment-safety", item=None):
    """Return a photo's sync metadata for the given bytes."""
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
    return {"id": photo_id or str(uuid.uuid4()), "sha256": sha(data), "bytes": len(data),
            "content_type": content_type, "width": width, "height": height, "station": station,
            "topic": topic, "item": item, "caption": caption, "rating": rating,
            "taken_at": "2018-06-12T10:15:00+02:00", "voice": voice}


def has_gps(data):
    """Tell whether an image's EXIF holds GPS tags."""
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        return bool(exif.get_ifd(GPS_IFD)) or GPS_IFD in exif


def free_port():
    """Return a TCP port free on localhost."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MotoServer:
    """moto's stand-alone S3 server in a child process, for the object-storage tests."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self):
        """Start the server and wait until it answers."""
        self.process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p",
                                         str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("moto server did not start")

    def stop(self):
        """Stop the server."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def make_bucket(self, name):
        """Create a bucket; return its name."""
        import boto3
        boto3.client("s3", endpoint_url=self.url, region_name="us-east-1").create_bucket(Bucket=name)
        return name


def s3_credentials():
    """Set the dummy credentials boto3 reads from the environment (moto accepts any)."""
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_DEFAULT_REGION", "us-east-1")):
        os.environ.setdefault(name, value)
