#!/usr/bin/env bash
# Start PostgreSQL and Redis on this machine if they are down, and create the
# application's own (non-superuser) database role. Used by scripts/test.sh and .ci/run.
set -euo pipefail
PGHOST=${PGHOST:-127.0.0.1}
if ! pg_isready -h "$PGHOST" -p 5432 -q 2>/dev/null; then
    echo "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
    for _ in $(seq 1 30); do pg_isready -h "$PGHOST" -p 5432 -q && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    echo "starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log
    for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
fi
# Two roles, neither a superuser (audits/triggers.py): `oversight` owns the tables and functions (it runs the
# migrations and the audit trail's retention cut; the tests connect as it), `oversight_app` is what the application
# connects as in production: it reads the trail and appends only through audits_append(), and cannot update,
# delete, truncate, disable a trigger or call the cut (tests/audits/test_database_roles.py).
psql -h "$PGHOST" -U postgres -v ON_ERROR_STOP=1 -qtA <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'oversight') THEN
    CREATE ROLE oversight LOGIN CREATEDB NOSUPERUSER NOCREATEROLE;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'oversight_app') THEN
    CREATE ROLE oversight_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
  END IF;
END $$;
SQL
if ! psql -h "$PGHOST" -U postgres -qtA -c "SELECT 1 FROM pg_database WHERE datname = 'oversight'" | grep -q 1; then
    psql -h "$PGHOST" -U postgres -q -c "CREATE DATABASE oversight OWNER oversight"
fi
