"""Reading the register as the public does: an anonymous client, every page in every language and every file."""

import json

from django.conf import settings
from django.test import Client

PAGES = ("/transparency/", "/transparency/rules/", "/transparency/data/")
FILES = (
    "/transparency/deployments.csv",
    "/transparency/deployments.json",
    "/transparency/deployments.csv.sig",
    "/transparency/deployments.json.sig",
    "/transparency/platform-public-key.pem",
    "/transparency/verify_export.py",
)


def every_public_url() -> list[str]:
    urls = list(PAGES)
    for code, _name in settings.LANGUAGES:
        urls += [page.replace("/transparency/", f"/transparency/{code}/", 1) for page in PAGES]
    return urls + list(FILES)


def read_all() -> dict[str, str]:
    client = Client()
    out = {}
    for url in every_public_url():
        if url.endswith("verify_export.py"):
            continue  # the verifier's own source, the same for everyone
        response = client.get(url)
        assert response.status_code == 200, url
        out[url] = response.content.decode()
    return out


def published() -> dict:
    return json.loads(Client().get("/transparency/deployments.json").content)
