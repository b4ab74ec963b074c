"""Run by tests/reliability/test_upload_bounds.py in a fresh process: one over-size upload through the real WSGI
application, fed by a body that is generated as it is read. Prints one JSON object: status, bytes of the body read,
peak RSS before and after (KiB)."""

import io
import json
import resource
import sys

import django

django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402


class GeneratedBody(io.RawIOBase):
    """size bytes of a multipart body, made on demand: the probe itself holds none of it."""

    def __init__(self, size: int):
        self.left = size
        self.read_bytes = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        count = min(len(buffer), self.left)
        buffer[:count] = b"\0" * count
        self.left -= count
        self.read_bytes += count
        return count


def call(app, path: str, size: int, content_type: str) -> tuple[str, int]:
    body = GeneratedBody(size)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "HTTP_HOST": "localhost",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BufferedReader(body),
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(size),
    }
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = status

    b"".join(app(environ, start_response))
    return answer["status"], body.read_bytes


def main():
    path, size = sys.argv[1], int(sys.argv[2])
    app = WSGIHandler()
    multipart = "multipart/form-data; boundary=----probe"
    call(app, path, 1024, multipart)  # warm up: imports, templates, translations
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    status, read = call(app, path, size, multipart)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    figures = {"status": status, "body_bytes_read": read, "peak_rss_before_kib": before, "peak_rss_after_kib": after}
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
