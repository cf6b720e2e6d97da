"""gunicorn settings for every way the server is started (Procfile, scripts/start, the tests).

Workers are asynchronous (gevent): each serves up to `worker_connections` connections at once, and a
connection waiting for a slow phone's bytes costs a sleeping greenlet, not one of a few threads, so
a hundred clients sending a byte a second never hold up the others' syncs. psycopg (3.1.14 or
later) waits for PostgreSQL through gevent too; SQLite writers wait for the lock in short sleeps
(see server/__init__.py). Views read a request's body before they use the database (sync and media
uploads after checking the key, with no connection held), so no database connection waits for a
slow client either. Set GUNICORN_CMD_ARGS="--worker-class gthread --threads 4" to run threads instead.

gunicorn answers some requests itself, before the app sees them: a request line longer than
its limit (414), headers too large (431), malformed HTTP (400). It writes those as an HTML
page; here they come in the API's JSON error envelope like every other error.
"""
import json

from gunicorn import util

worker_class = "gevent"
worker_connections = 1000


def write_json_error(sock, status, reason, message):
    """Write gunicorn's own error reply as {"error": {"code", "message", "details"}} and close."""
    from server.errors import HTTP_CODES  # in the worker, after gevent has patched the standard library
    code = HTTP_CODES.get(status) or reason.lower().replace(" ", "_").replace("-", "_")
    body = json.dumps({"error": {"code": code, "message": f"{reason}: {message}" if message else reason,
                                 "details": None}}).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1")
    util.write_nonblock(sock, head + body)


# The workers look the writer up on gunicorn's util module each time, so replacing it there is enough.
util.write_error = write_json_error
