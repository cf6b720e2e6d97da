"""Run the app under a real gunicorn on a loopback port, for tests and benchmarks."""
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """Seed a database with the CLI, then serve it with gunicorn until stopped."""

    def __init__(self, database_url, workers=2, threads=4, env=None, app="server:create_app()"):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "gunicorn-test",
                    "RATELIMIT_ENABLED": "0", **(env or {})}
        self.workers, self.threads, self.app = workers, threads, app
        self.process = None

    def flask(self, *args):
        """Run a flask CLI command against the same database; return its output."""
        result = subprocess.run([str(BIN / "flask"), "--app", "server", *args], env=self.env, cwd=ROOT,
                                capture_output=True, text=True, check=True)
        return result.stdout

    def start(self, probe="/api/v1/walks"):
        """Start gunicorn and wait until `probe` answers (any HTTP status counts)."""
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--config", "python:server.gunicorn_config",
             "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
             "--threads", str(self.threads), "--log-level", "warning", self.app],
            env=self.env, cwd=ROOT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}{probe}", timeout=1).read()
                return self
            except urllib.error.HTTPError:
                return self
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("gunicorn exited while starting")
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start within 30 s")

    def stop(self):
        """Stop gunicorn gracefully (its workers finish what they serve, up to 30 s), else kill it."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=45)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
