#!/bin/sh
# Starts the role named by the first argument; the rest are passed to it (e.g. --instance 2).
set -e
role="${1:-silo}"
[ $# -gt 0 ] && shift
case "$role" in
  silo) cd /app/silo && exec dotnet Mcp.Cluster.Silo.dll "$@" ;;
  gateway) cd /app/gateway && exec dotnet Mcp.Cluster.Gateway.dll "$@" ;;
  *) echo "usage: silo|gateway [options]" >&2; exit 2 ;;
esac
