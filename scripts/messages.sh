#!/usr/bin/env bash
# Refresh the Czech catalogue from the code and templates, then compile it.
#   bash scripts/messages.sh          # update locale/cs/LC_MESSAGES/django.po (new messages come out empty)
#   bash scripts/messages.sh compile  # only compile the .po into the committed .mo
# Needs GNU gettext (Debian's gettext package). tests/test_languages.py fails while a message lacks Czech
# or the .mo is older than the .po.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=config.settings DEBUG=1 SECRET_KEY=${SECRET_KEY:-messages-only-not-a-secret}
if [ "${1:-}" != compile ]; then
    .venv/bin/python manage.py makemessages --locale cs --no-location --no-obsolete \
        --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'benchmarks/*' --ignore 'static/*'
fi
.venv/bin/python manage.py compilemessages --locale cs --ignore '.venv/*'
