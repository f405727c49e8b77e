#!/usr/bin/env bash
# Stops only the daemons setup.sh started, and removes the registry's storage. Safe to run twice.
set -euo pipefail
STATE="${LAMBDA_DOCKER_STATE:-/tmp/lambda-docker-ci}"

stop() { # stop <name>
  local pidfile="$STATE/$1.pid"
  [ -f "$pidfile" ] || return 0
  local pid; pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
  printf '[teardown] stopped %s\n' "$1" >&2
}

stop registry
stop dockerd
rm -rf "$STATE/registry-storage" "$STATE/registry.yml"
