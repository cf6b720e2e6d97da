"""gunicorn settings for every way the server is started (Procfile, scripts/start, the tests).

gunicorn answers some requests itself, before the app sees them: a request line longer than
its limit (414), headers too large (431), malformed HTTP (400). It writes those as an HTML
page; here they come in the API's JSON error envelope like every other error.
"""
import json

from gunicorn import util

from server.errors import HTTP_CODES


def write_json_error(sock, status, reason, message):
    """Write gunicorn's own error reply as {"error": {"code", "message", "details"}} and close."""
    code = HTTP_CODES.get(status) or reason.lower().replace(" ", "_").replace("-", "_")
    body = json.dumps({"error": {"code": code, "message": f"{reason}: {message}" if message else reason,
                                 "details": None}}).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1")
    util.write_nonblock(sock, head + body)


# The workers look the writer up on gunicorn's util module each time, so replacing it there is enough.
util.write_error = write_json_error
