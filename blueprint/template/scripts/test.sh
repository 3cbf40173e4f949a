#!/usr/bin/env bash
# Run the whole test suite against a real PostgreSQL, with the coverage gate.
#   - $DATABASE_URL if it is set;
#   - else a throw-away cluster from pg_virtualenv (Debian's postgresql-common);
#   - else the `db` service of docker compose.
# Extra arguments go to pytest: scripts/test.sh -k items -x
# Runs in the active virtualenv (`make test`, `uv run scripts/test.sh`), else
# in the locked one through `uv run --locked`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ -z "${VIRTUAL_ENV:-}" ]] && command -v uv >/dev/null 2>&1; then
  pytest_cmd=(uv run --locked python -m pytest --cov --cov-report=term-missing)
else
  pytest_cmd=(python -m pytest --cov --cov-report=term-missing)
fi

if [[ -n "${DATABASE_URL:-}" ]]; then
  "${pytest_cmd[@]}" "$@"
elif command -v pg_virtualenv >/dev/null 2>&1; then
  # pg_virtualenv exports PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE.
  # shellcheck disable=SC2016 # expanded by the inner shell, not this one
  pg_virtualenv -- bash -c '
    export DATABASE_URL="postgresql+asyncpg://${PGUSER}:${PGPASSWORD}@${PGHOST}:${PGPORT}/${PGDATABASE}"
    exec "$@"
  ' pytest "${pytest_cmd[@]}" "$@"
elif command -v docker >/dev/null 2>&1; then
  export POSTGRES_PASSWORD="${POSTGRES_PASSWORD:-postgres-test}"
  docker compose up -d --wait db
  export DATABASE_URL="postgresql+asyncpg://app:${POSTGRES_PASSWORD}@127.0.0.1:5432/app"
  "${pytest_cmd[@]}" "$@"
else
  echo "No database: set DATABASE_URL, install postgresql (pg_virtualenv) or docker." >&2
  exit 2
fi
