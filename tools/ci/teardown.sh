#!/usr/bin/env bash
# Undoes tools/ci/setup.sh: stops only the daemons setup.sh itself started (recorded as pidfiles in
# $STATE), never a dockerd or registry that was already running, and removes the registry's storage.
# Safe to run twice, or without setup.sh having run: each step is skipped when there's nothing to do.
# The base image and dockerd's data root are kept, so the next setup.sh needn't rebuild the image.
set -euo pipefail

STATE="${LAMBDA_DOCKER_STATE:-/tmp/lambda-docker-ci}"

log() { printf '[teardown] %s\n' "$*" >&2; }

# stop <name> <comm> <grace seconds>: SIGTERM the pid in $STATE/<name>.pid, wait for it to exit,
# SIGKILL if it outlives the grace period. The process name is checked first so that a stale pidfile
# whose pid has been reused (e.g. after a reboot) can never make us kill an unrelated process.
stop() {
  local name="$1" comm="$2" grace="$3" pidfile="$STATE/$1.pid" pid i
  [[ -f "$pidfile" ]] || return 0
  pid="$(<"$pidfile")"
  if [[ "$pid" =~ ^[0-9]+$ ]] && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$comm" ]]; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name (pid $pid) ignored SIGTERM for ${grace}s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    log "stopped $name (pid $pid)"
  else
    log "$name (pid $pid) already gone"
  fi
  rm -f "$pidfile"
}

stop registry docker-registry 15
# dockerd stops its containers (10s each by default) and its own containerd before exiting.
stop dockerd dockerd 60

if [[ -f "$STATE/registry.storage" ]]; then
  storage="$(<"$STATE/registry.storage")"
  # Only ever delete what setup.sh created with mktemp.
  case "$storage" in
    */lambda-docker-registry.*) rm -rf -- "$storage" ;;
    *) log "not removing unexpected registry storage path '$storage'" ;;
  esac
  rm -f "$STATE/registry.storage"
fi
# The env file describes an environment that is gone (or no longer ours); setup.sh writes it anew.
rm -f "$STATE/registry.yml" "$STATE/env"
