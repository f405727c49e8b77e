#!/usr/bin/env bash
# Brings up what the real-engine tests need on a bare Debian machine, idempotently:
# Debian's docker.io (its 20.10 client runs BuildKit builds without buildx), a dockerd, a Python base
# image built locally (no image can be pulled here), and a local OCI registry on loopback.
# Writes $STATE/env for callers to source, and records which daemons it started for teardown.sh.
set -euo pipefail

STATE="${LAMBDA_DOCKER_STATE:-/tmp/lambda-docker-ci}"
REGISTRY_PORT="${REGISTRY_PORT:-5555}"
BASE_IMAGE="${LAMBDA_DOCKER_BASE_IMAGE:-lambda-docker/python-base:bookworm}"
DOCKER_BIN="${DOCKER:-/usr/bin/docker}"
mkdir -p "$STATE"

log() { printf '[setup] %s\n' "$*" >&2; }

wait_for() { # wait_for <seconds> <description> <command...>
  local seconds="$1" what="$2"; shift 2
  for _ in $(seq 1 "$seconds"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  log "$what did not come up within ${seconds}s"; return 1
}

missing=()
command -v dockerd >/dev/null 2>&1 && [ -x /usr/bin/docker ] || missing+=(docker.io)
command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap)
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# dockerd: reuse a reachable one, else start ours (and remember to stop it).
if "$DOCKER_BIN" version --format '{{.Server.Version}}' >/dev/null 2>&1; then
  log "reusing the running Docker daemon"
else
  log "starting dockerd"
  nohup dockerd >"$STATE/dockerd.log" 2>&1 &
  echo $! >"$STATE/dockerd.pid"
  wait_for 60 dockerd "$DOCKER_BIN" version --format '{{.Server.Version}}' || { tail -20 "$STATE/dockerd.log" >&2; exit 1; }
fi

# The Python base image: Debian's python3 + pip standing in for public.ecr.aws/lambda/python:3.11.
if "$DOCKER_BIN" image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  log "base image $BASE_IMAGE present"
else
  log "building base image $BASE_IMAGE with mmdebstrap"
  mmdebstrap --quiet --variant=apt --include=python3,python3-pip \
    --customize-hook='mkdir -p "$1/var/task" "$1/opt"' --format=tar bookworm "$STATE/base.tar"
  "$DOCKER_BIN" import \
    --change 'ENV LAMBDA_TASK_ROOT=/var/task' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV PIP_BREAK_SYSTEM_PACKAGES=1' \
    --change 'ENV PIP_DISABLE_PIP_VERSION_CHECK=1' \
    --change 'WORKDIR /var/task' \
    "$STATE/base.tar" "$BASE_IMAGE" >/dev/null
  rm -f "$STATE/base.tar"
fi

# A local registry on loopback (dockerd treats 127.0.0.0/8 registries as insecure, so http works).
if curl -fsS "http://127.0.0.1:$REGISTRY_PORT/v2/" >/dev/null 2>&1; then
  log "reusing the registry on 127.0.0.1:$REGISTRY_PORT"
else
  mkdir -p "$STATE/registry-storage"
  cat >"$STATE/registry.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $STATE/registry-storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$REGISTRY_PORT
YAML
  log "starting docker-registry on 127.0.0.1:$REGISTRY_PORT"
  nohup docker-registry serve "$STATE/registry.yml" >"$STATE/registry.log" 2>&1 &
  echo $! >"$STATE/registry.pid"
  wait_for 30 registry curl -fsS "http://127.0.0.1:$REGISTRY_PORT/v2/" || { tail -20 "$STATE/registry.log" >&2; exit 1; }
fi

cat >"$STATE/env" <<ENV
export DOCKER=$DOCKER_BIN
export LAMBDA_DOCKER_BASE_IMAGE=$BASE_IMAGE
export LAMBDA_DOCKER_REGISTRY=127.0.0.1:$REGISTRY_PORT
ENV
log "ready: $(tr '\n' ' ' <"$STATE/env")"
