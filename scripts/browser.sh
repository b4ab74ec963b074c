#!/usr/bin/env bash
# Install the browser the end-to-end tests drive (tests/e2e): Debian's chromium, driven by Playwright for Python
# from .venv (no browser download), and fonts-dejavu-core so screenshots show readable text in Czech and English.
# Does nothing when /usr/bin/chromium is already there. Used by scripts/test.sh (and so by .ci/run).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo -n)
else
    echo "scripts/browser.sh: /usr/bin/chromium is missing and neither root nor sudo is available;" \
        "install Debian's chromium and fonts-dejavu-core (the browser tests are skipped without it)" >&2
    exit 0
fi
echo "installing chromium for the browser tests"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
