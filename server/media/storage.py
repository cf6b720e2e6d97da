"""Where media files live: a folder (the default) or an S3-compatible object store.

Files are addressed by the SHA-256 of the bytes the device sent; a thumbnail sits beside
its photo. Every backend answers the same few calls, so the upload path, the downloads and
the ZIP never know which one holds the files.
"""
import os
import shutil
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

from flask import current_app

CHUNK = 256 * 1024
INCOMING_MAX_AGE = 3600  # seconds an unfinished upload's part file may stay in the folder


def file_key(sha256):
    """Return the storage key of a file, fanned out by its first two hex digits."""
    return f"{sha256[:2]}/{sha256}"


def thumbnail_key(sha256):
    """Return the storage key of a photo's thumbnail, beside the photo."""
    return f"{sha256[:2]}/{sha256}.thumb.jpg"


def new_part(folder):
    """Return a fresh part file path in `folder`, first removing parts that killed uploads left behind."""
    cutoff = time.time() - INCOMING_MAX_AGE
    for part in folder.glob("*.part"):
        try:
            if part.stat().st_mtime < cutoff:
                part.unlink()
        except FileNotFoundError:
            pass
    return folder / f"{uuid.uuid4().hex}.part"


class FolderStorage:
    """Files in a folder; each write lands whole (written aside, synced, then renamed)."""

    name = "folder"

    def __init__(self, root):
        self.root = Path(root)
        self.incoming = self.root / ".incoming"
        self.incoming.mkdir(parents=True, exist_ok=True)

    def _path(self, key):
        return self.root / key

    def new_part(self):
        """Return a new part file's path for an arriving upload; stale parts of killed uploads are swept."""
        return new_part(self.incoming)

    def put_file(self, key, path, content_type):
        """Move a finished file (a part file, or any path) to `key`, durably."""
        self.put_files([(key, path, content_type)])

    def put_files(self, entries):
        """Move finished files [(key, path, content_type)] to their keys, durably, syncing each folder once.

        A photo and its thumbnail share a folder: one folder sync covers both.
        """
        moves = []
        for key, path, _ in entries:
            target = self._path(key)
            target.parent.mkdir(parents=True, exist_ok=True)
            path = Path(path)
            if path.parent != self.incoming:
                copy = self.new_part()
                shutil.copyfile(path, copy)
                path = copy
            with open(path, "rb+") as handle:
                os.fsync(handle.fileno())
            moves.append((path, target))
        for path, target in moves:
            os.replace(path, target)
        for folder in dict.fromkeys(target.parent for _, target in moves):
            _fsync_dir(folder)

    def put_bytes(self, key, data, content_type):
        """Store small bytes (a thumbnail) at `key`, durably."""
        part = self.new_part()
        with open(part, "wb") as handle:
            handle.write(data)
        self.put_file(key, part, content_type)

    def exists(self, key):
        """Tell whether `key` is stored."""
        return self._path(key).is_file()

    def chunks(self, key):
        """Yield the stored bytes of `key` in chunks."""
        with open(self._path(key), "rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk

    def read(self, key):
        """Return the stored bytes of `key` (for small files such as thumbnails)."""
        return self._path(key).read_bytes()

    def delete(self, key):
        """Remove `key`; nothing happens when it is not stored."""
        try:
            self._path(key).unlink()
        except FileNotFoundError:
            pass


def _fsync_dir(path):
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class S3Storage:
    """Objects in an S3-compatible bucket, under a prefix; every server node sees the same files."""

    name = "s3"

    def __init__(self, bucket, prefix="", endpoint_url=None, region=None, incoming=None):
        import boto3
        from botocore.config import Config
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = boto3.client("s3", endpoint_url=endpoint_url, region_name=region or None,
                                   config=Config(retries={"max_attempts": 5, "mode": "standard"}))
        self.incoming = Path(incoming)
        self.incoming.mkdir(parents=True, exist_ok=True)

    def _key(self, key):
        return f"{self.prefix}/{key}" if self.prefix else key

    def new_part(self):
        """Return a local part file's path for an arriving upload, sent on once checked."""
        return new_part(self.incoming)

    def put_file(self, key, path, content_type):
        """Upload a finished file to `key` (multipart when large: memory stays flat) and remove the local copy."""
        from boto3.s3.transfer import TransferConfig
        self.client.upload_file(str(path), self.bucket, self._key(key),
                                ExtraArgs={"ContentType": content_type},
                                Config=TransferConfig(multipart_chunksize=8 * 1024 * 1024, max_concurrency=2))
        if Path(path).parent == self.incoming:
            Path(path).unlink(missing_ok=True)

    def put_files(self, entries):
        """Upload finished files [(key, path, content_type)] one after another."""
        for key, path, content_type in entries:
            self.put_file(key, path, content_type)

    def put_bytes(self, key, data, content_type):
        """Store small bytes at `key`."""
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type)

    def exists(self, key):
        """Tell whether `key` is stored."""
        from botocore.exceptions import ClientError
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def chunks(self, key):
        """Yield the stored bytes of `key` in chunks, streamed from the bucket."""
        body = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        try:
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()

    def read(self, key):
        """Return the stored bytes of `key`."""
        return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()

    def delete(self, key):
        """Remove `key`; nothing happens when it is not stored."""
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))


def storage_from_config(config, instance_path):
    """Build the backend MEDIA_URL names: s3://bucket/prefix, file:///path, or the instance folder."""
    url = config.get("MEDIA_URL") or ""
    incoming = Path(instance_path) / "media-incoming"
    if url.startswith("s3://"):
        parsed = urlparse(url)
        if not parsed.netloc:
            raise ValueError("MEDIA_URL must name a bucket: s3://bucket/prefix")
        return S3Storage(parsed.netloc, parsed.path, endpoint_url=config.get("MEDIA_S3_ENDPOINT_URL"),
                         region=config.get("MEDIA_S3_REGION"), incoming=incoming)
    if url.startswith("file://"):
        return FolderStorage(urlparse(url).path)
    if url:
        raise ValueError(f"MEDIA_URL must start with s3:// or file://, not {url!r}")
    return FolderStorage(Path(instance_path) / "media")


def media_storage():
    """Return the app's media storage, built once per app."""
    storage = current_app.extensions.get("media_storage")
    if storage is None:
        storage = storage_from_config(current_app.config, current_app.instance_path)
        current_app.extensions["media_storage"] = storage
    return storage
