#!/usr/bin/env bash
# Set up and run the platform on this machine: web app, Celery worker and scheduler.
# With no DATABASE_URL / CELERY_BROKER_URL it uses embedded defaults (SQLite and
# kombu's filesystem broker under var/), so nothing else needs to be running.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DEBUG=${DEBUG:-1}
export OPENBLAS_NUM_THREADS=1
# The demo plays the data protection office too: its copies of each signed checkpoint land here.
export OFFICE_WITNESS_DIR=${OFFICE_WITNESS_DIR:-var/office-witness}
mkdir -p var/broker/queue var/broker/processed var/broker/control var/keys
if [ -z "${SECRET_KEY:-}" ]; then
    [ -s var/secret_key ] || .venv/bin/python -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key
    SECRET_KEY=$(cat var/secret_key)
    export SECRET_KEY
fi
PY=.venv/bin/python
$PY manage.py migrate --noinput -v0
$PY manage.py audits_keygen --if-missing
$PY manage.py seed_demo
# Static files are served by whitenoise from the collected copy (hashed names when DEBUG is off).
$PY manage.py collectstatic --noinput -v0
PORT=${PORT:-8000}
pids=()
cleanup() {
    # Warm shutdown first; a scan segment can last 45 s, so after 10 s workers get a cold shutdown
    # (their scans are closed as worker_lost by the next dispatch: a stale heartbeat never holds a camera).
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 1 10); do
        kill -0 "${pids[@]}" 2>/dev/null || break
        sleep 1
    done
    kill -QUIT "${pids[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM
# Scan workers (one process per camera analysed at once) and a worker for short tasks
# (reference encodings, the dispatcher, expiry and destruction).
.venv/bin/celery -A config worker -Q scans --loglevel=INFO --concurrency=${SCAN_CONCURRENCY:-2} --hostname=scans@%h &
pids+=($!)
.venv/bin/celery -A config worker -Q celery --loglevel=INFO --concurrency=1 --hostname=tasks@%h &
pids+=($!)
.venv/bin/celery -A config beat --loglevel=INFO --schedule=var/celerybeat-schedule &
pids+=($!)
echo "Open http://127.0.0.1:${PORT}/ (demo users and their password are printed above)"
echo "Every role but requester then confirms with one of its recovery codes (printed above; each works once)"
# A real WSGI server (gunicorn), as in production; WEB_CONCURRENCY worker processes.
.venv/bin/gunicorn config.wsgi --bind "127.0.0.1:${PORT}" --workers "${WEB_CONCURRENCY:-2}" \
    --access-logfile - --graceful-timeout 10 &
pids+=($!)
wait -n "${pids[@]}"
