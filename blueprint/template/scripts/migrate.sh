#!/usr/bin/env bash
# Apply database migrations: scripts/migrate.sh [upgrade head | downgrade -1 | ...]
# Reads DATABASE_URL (through the service's settings), like the app does.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ -z "${DATABASE_URL:-}" ]]; then
  echo "DATABASE_URL is not set." >&2
  exit 2
fi

if [[ $# -eq 0 ]]; then
  set -- upgrade head
fi

exec python -m alembic "$@"
