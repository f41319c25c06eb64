#!/usr/bin/env bash
# Applies deploy/postgres/schema.sql to the database named by a libpq connection string or the usual PG* variables.
# Safe to run any number of times. Usage: deploy/postgres/apply.sh [postgresql://user:pass@host:5432/mcp]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
psql ${1:+"$1"} -X -q -v ON_ERROR_STOP=1 -f "$here/schema.sql"
echo "MCP Cluster schema applied."
