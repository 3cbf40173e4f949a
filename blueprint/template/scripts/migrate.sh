#!/usr/bin/env bash
# Apply database migrations: scripts/migrate.sh [upgrade head | downgrade -1 | ...]
# Reads DATABASE_URL through the service's settings, like the app does: from
# the environment, else from .env.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Without either there is nothing to migrate; with a .env, the settings say
# what is missing or wrong in it.
if [[ -z "${DATABASE_URL:-}" && ! -f .env ]]; then
  echo "DATABASE_URL is not set and there is no .env (cp .env.example .env)." >&2
  exit 2
fi

if [[ $# -eq 0 ]]; then
  set -- upgrade head
fi

exec python -m alembic "$@"
