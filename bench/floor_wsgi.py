"""The server's floor: a bare WSGI application under the same gunicorn as the portal."""

BODY = b"ok\n"


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(BODY)))])
    return [BODY]
