#!/usr/bin/env bash
# Set up and run the platform on this machine: web app, Celery worker and scheduler.
# With no DATABASE_URL / CELERY_BROKER_URL it uses embedded defaults (SQLite and
# kombu's filesystem broker under var/), so nothing else needs to be running.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DEBUG=${DEBUG:-1}
export OPENBLAS_NUM_THREADS=1
VAR=${OVERSIGHT_VAR_DIR:-var}
# The demo plays the data protection office too: its copies of each signed checkpoint land here.
export OFFICE_WITNESS_DIR=${OFFICE_WITNESS_DIR:-$VAR/office-witness}
mkdir -p "$VAR/broker/queue" "$VAR/broker/processed" "$VAR/broker/control" "$VAR/keys"
if [ -z "${SECRET_KEY:-}" ]; then
    [ -s "$VAR/secret_key" ] || .venv/bin/python -c "import secrets; print(secrets.token_urlsafe(50))" > "$VAR/secret_key"
    SECRET_KEY=$(cat "$VAR/secret_key")
    export SECRET_KEY
fi
PY=.venv/bin/python
# Production gives two roles (README, "The audit trail"): DATABASE_URL is the application's, DATABASE_OWNER_URL the
# owner's, which alone runs the migrations (the whole process as the owner: data migrations use the default
# connection) and the trail's retention cut. One URL: it does both.
DATABASE_URL=${DATABASE_OWNER_URL:-${DATABASE_URL:-}} $PY manage.py migrate --noinput -v0
$PY manage.py audits_keygen --if-missing
$PY manage.py seed_demo
# Static files are served by whitenoise from the collected copy (hashed names when DEBUG is off).
$PY manage.py collectstatic --noinput -v0
PORT=${PORT:-8000}
pids=()
stopping=0
cleanup() {
    # Ctrl+C (SIGINT to the whole process group) or SIGTERM: a warm shutdown, in which a running scan stops
    # between frames and releases its camera within about a second; whatever still runs after 10 s is killed
    # with its children, so nothing of the run command outlives it.
    [ "$stopping" = 1 ] && return
    stopping=1
    trap - INT TERM
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 1 20); do
        kill -0 "${pids[@]}" 2>/dev/null || break
        sleep 0.5
    done
    for pid in "${pids[@]}"; do
        pkill -KILL -P "$pid" 2>/dev/null || true
        kill -KILL "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
}
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
trap cleanup EXIT
# Scan workers, one process each (the solo pool: the scan runs in the worker's own process, so a shutdown
# reaches it at once), and a worker for short tasks (reference encodings, the dispatcher, expiry, retention).
for i in $(seq 1 "${SCAN_CONCURRENCY:-2}"); do
    .venv/bin/celery -A config worker -Q scans -P solo --loglevel=INFO --hostname="scans$i@%h" &
    pids+=($!)
done
.venv/bin/celery -A config worker -Q celery --loglevel=INFO --concurrency=1 --hostname=tasks@%h &
pids+=($!)
.venv/bin/celery -A config beat --loglevel=INFO --schedule="$VAR/celerybeat-schedule" &
pids+=($!)
echo "Open http://127.0.0.1:${PORT}/ (demo users and their password are printed above)"
echo "Every role but requester then confirms with one of its recovery codes (printed above; each works once)"
# A real WSGI server (gunicorn), as in production; WEB_CONCURRENCY worker processes.
.venv/bin/gunicorn config.wsgi --bind "127.0.0.1:${PORT}" --workers "${WEB_CONCURRENCY:-2}" \
    --access-logfile - --graceful-timeout 10 &
pids+=($!)
wait -n "${pids[@]}"
