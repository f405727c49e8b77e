#!/usr/bin/env bash
# Brings up what the real-engine tests need on a bare Debian bookworm machine, idempotently:
#   1. Debian's docker.io, mmdebstrap and docker-registry (installed only when missing);
#   2. a dockerd (a reachable one is reused and left alone by teardown.sh);
#   3. a Python base image built locally, because no image can be pulled here;
#   4. a local registry on loopback for push tests;
#   5. a quick smoke test of all of the above (LAMBDA_DOCKER_SMOKE=0 skips it).
# Writes $STATE/env for callers to `source`, and records in $STATE which daemons it started so that
# teardown.sh stops those and nothing else.
#
# The client is Debian's /usr/bin/docker (20.10): it runs BuildKit builds natively with
# DOCKER_BUILDKIT=1 (the daemon's embedded BuildKit; no buildx needed). A newer /usr/local/bin/docker
# may also exist on CI images: without the buildx plugin it refuses DOCKER_BUILDKIT=1 and otherwise
# falls back to the legacy builder, so never use it. bookworm has no docker-buildx package (it
# arrives in trixie), so there is no `docker buildx` here. The embedded BuildKit of dockerd 20.10
# only has the moby/local/tar exporters: `--output type=image|registry` fails, and
# `type=moby,push=true` silently does not push, so pushes go through `docker push`.
set -euo pipefail

STATE="${LAMBDA_DOCKER_STATE:-/tmp/lambda-docker-ci}"
REGISTRY_PORT="${REGISTRY_PORT:-5555}"
BASE_IMAGE="${LAMBDA_DOCKER_BASE_IMAGE:-lambda-docker/python-base:bookworm}"
SUITE=bookworm
DOCKER=/usr/bin/docker
REGISTRY="127.0.0.1:$REGISTRY_PORT"
mkdir -p "$STATE"

log() { printf '[setup] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# wait_for <seconds> <description> <logfile> <command...>: poll once a second, bounded, so a daemon
# that never comes up fails the run with its log instead of hanging CI.
wait_for() {
  local seconds="$1" what="$2" logfile="$3"; shift 3
  local i
  for ((i = 0; i < seconds; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  log "$what did not come up within ${seconds}s; last lines of $logfile:"
  tail -n 30 "$logfile" >&2 || true
  return 1
}

# owned <name> <comm>: true when $STATE/<name>.pid names a live process called <comm>, i.e. a daemon
# an earlier setup.sh started and no teardown.sh has stopped yet. A stale pidfile (daemon gone, or
# the pid reused by something else after a reboot) is removed so teardown.sh can't kill a stranger.
owned() {
  local pidfile="$STATE/$1.pid" pid
  [[ -f "$pidfile" ]] || return 1
  pid="$(<"$pidfile")"
  if [[ "$pid" =~ ^[0-9]+$ ]] && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$2" ]]; then
    return 0
  fi
  rm -f "$pidfile"
  return 1
}

# --- 1. packages -------------------------------------------------------------------------------
# Ask dpkg rather than `command -v`: a non-Debian docker in /usr/local/bin must not count.
missing=()
for pkg in docker.io mmdebstrap docker-registry curl; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  apt-get update -qq
  # --no-install-recommends would drop iptables/… recommends the daemon's default networking uses.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
[[ -x "$DOCKER" ]] || die "$DOCKER is missing although docker.io is installed"

# --- 2. dockerd ----------------------------------------------------------------------------------
if "$DOCKER" info >/dev/null 2>&1; then
  if owned dockerd dockerd; then
    log "dockerd already running (started by an earlier setup.sh, pid $(<"$STATE/dockerd.pid"))"
  else
    log "reusing the running Docker daemon (teardown.sh will leave it alone)"
  fi
else
  owned dockerd dockerd && die "dockerd (pid $(<"$STATE/dockerd.pid")) is running but not answering; see $STATE/dockerd.log"
  log "starting dockerd (log: $STATE/dockerd.log)"
  # setsid: the daemon gets its own session, so it outlives this script and isn't killed along with
  # the caller's process group. Our own --pidfile avoids tripping over a stale /var/run/docker.pid
  # left by an unclean shutdown (dockerd refuses to start if that pid is now some other process).
  setsid dockerd --pidfile "$STATE/dockerd.daemon.pid" </dev/null >>"$STATE/dockerd.log" 2>&1 &
  echo $! >"$STATE/dockerd.pid"
  wait_for 60 dockerd "$STATE/dockerd.log" "$DOCKER" info || exit 1
  log "dockerd up ($("$DOCKER" version --format '{{.Server.Version}}'), storage driver $("$DOCKER" info --format '{{.Driver}}'))"
fi

# --- 3. the Python base image ------------------------------------------------------------------
# Stands in for public.ecr.aws/lambda/python:3.11 (which can't be pulled here): Debian's python3 +
# pip, with the environment the Lambda image provides that our Dockerfiles rely on.
# --variant=apt: essential + apt, no recommends, so the image stays small. /var/task is the Lambda
# task root our Dockerfiles COPY into; /opt is where Lambda layers are unpacked.
# shellcheck disable=SC2016  # "$1" is expanded by mmdebstrap's hook shell, not here
MMDEBSTRAP_ARGS=(--variant=apt '--include=python3,python3-pip'
  --customize-hook='mkdir -p "$1/var/task" "$1/opt"' --format=tar "$SUITE")
# `docker import` yields an image with an empty config; --change gives it the defaults.
# PIP_BREAK_SYSTEM_PACKAGES: bookworm's pip refuses system-wide installs (PEP 668), which the Lambda
# image allows. PIP_ROOT_USER_ACTION: builds run as root, as in the Lambda image; keep pip quiet
# about it. PIP_NO_INDEX is deliberately not set: tests pass --no-index themselves.
IMPORT_CHANGES=(
  'ENV LAMBDA_TASK_ROOT=/var/task'
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  'ENV LANG=C.UTF-8'
  'ENV PIP_BREAK_SYSTEM_PACKAGES=1'
  'ENV PIP_DISABLE_PIP_VERSION_CHECK=1'
  'ENV PIP_ROOT_USER_ACTION=ignore'
  'WORKDIR /var/task'
  'CMD ["python3"]'
  "LABEL org.opencontainers.image.description=\"Debian $SUITE python3 + pip: tools/ci/setup.sh's local stand-in for the AWS Lambda Python base image\""
)
# The recipe's hash goes into a label, so an image built by an older version of this script is
# rebuilt instead of silently reused; an up-to-date one is reused (the build takes minutes).
recipe="$(printf '%s\n' "${MMDEBSTRAP_ARGS[@]}" "${IMPORT_CHANGES[@]}" | sha256sum | cut -c1-16)"
have="$("$DOCKER" image inspect --format '{{index .Config.Labels "lambda-docker.ci.recipe"}}' "$BASE_IMAGE" 2>/dev/null || true)"
if [[ "$have" == "$recipe" ]]; then
  log "base image $BASE_IMAGE present"
else
  if [[ -n "$have" ]] || "$DOCKER" image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    log "base image $BASE_IMAGE is from an older recipe; rebuilding it"
  fi
  log "building base image $BASE_IMAGE with mmdebstrap (takes a minute or more)"
  tarball="$(mktemp "$STATE/base.XXXXXX.tar")"
  trap 'rm -f "$tarball"' EXIT
  started=$SECONDS
  mmdebstrap --quiet "${MMDEBSTRAP_ARGS[@]}" "$tarball"
  changes=()
  for change in "${IMPORT_CHANGES[@]}" "LABEL lambda-docker.ci.recipe=$recipe"; do
    changes+=(--change "$change")
  done
  # Importing under the tag moves it in one step: there is no moment without $BASE_IMAGE.
  "$DOCKER" import "${changes[@]}" "$tarball" "$BASE_IMAGE" >/dev/null
  rm -f "$tarball"
  trap - EXIT
  log "built $BASE_IMAGE in $((SECONDS - started))s ($("$DOCKER" image inspect --format '{{.Size}}' "$BASE_IMAGE") bytes)"
fi

# --- 4. the local registry ---------------------------------------------------------------------
# dockerd treats 127.0.0.0/8 registries as insecure by default, so plain http works for
# `docker push` without any daemon configuration.
if curl -fsS "http://$REGISTRY/v2/" >/dev/null 2>&1; then
  if owned registry docker-registry; then
    log "registry already running on $REGISTRY (started by an earlier setup.sh)"
  else
    log "reusing the registry answering on $REGISTRY (teardown.sh will leave it alone)"
  fi
else
  owned registry docker-registry && die "docker-registry (pid $(<"$STATE/registry.pid")) is running but $REGISTRY does not answer; see $STATE/registry.log"
  storage="$(mktemp -d "${TMPDIR:-/tmp}/lambda-docker-registry.XXXXXX")"
  echo "$storage" >"$STATE/registry.storage"
  # delete.enabled lets tests clean up manifests they pushed.
  cat >"$STATE/registry.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $storage
  delete:
    enabled: true
http:
  addr: $REGISTRY
YAML
  log "starting docker-registry on $REGISTRY (storage $storage, log $STATE/registry.log)"
  setsid docker-registry serve "$STATE/registry.yml" </dev/null >>"$STATE/registry.log" 2>&1 &
  echo $! >"$STATE/registry.pid"
  wait_for 30 docker-registry "$STATE/registry.log" curl -fsS "http://$REGISTRY/v2/" || exit 1
fi

# --- 5. smoke test -----------------------------------------------------------------------------
# Cheap (a few seconds once cached) and it turns a broken environment into one clear failure here
# rather than many confusing ones in the test suite.
if [[ "${LAMBDA_DOCKER_SMOKE:-1}" != 0 ]]; then
  log "smoke test: run, BuildKit build from the local base image, push to $REGISTRY"
  "$DOCKER" run --rm "$BASE_IMAGE" python3 -c 'import sys; print(sys.version.split()[0])' >/dev/null \
    || die "cannot run python3 in $BASE_IMAGE"
  ctx="$(mktemp -d)"
  trap 'rm -rf "$ctx"' EXIT
  # Same shape as our Dockerfiles: the base image is a build arg defaulting to the real Lambda image.
  # BuildKit with the daemon's own builder resolves a FROM that exists locally without pulling.
  # shellcheck disable=SC2016  # ${BASE_IMAGE} is for the Dockerfile, not for this shell
  printf '%s\n' 'ARG BASE_IMAGE=public.ecr.aws/lambda/python:3.11' 'FROM ${BASE_IMAGE}' \
    'RUN python3 -c "print(1)"' >"$ctx/Dockerfile"
  smoke="$REGISTRY/lambda-docker-smoke:latest"
  DOCKER_BUILDKIT=1 "$DOCKER" build --quiet --build-arg "BASE_IMAGE=$BASE_IMAGE" -t "$smoke" "$ctx" >/dev/null \
    || die "BuildKit build FROM $BASE_IMAGE failed"
  "$DOCKER" push --quiet "$smoke" >/dev/null || die "docker push to $REGISTRY failed"
  curl -fsS "http://$REGISTRY/v2/lambda-docker-smoke/tags/list" | grep -q '"latest"' \
    || die "pushed tag not listed by the registry"
  "$DOCKER" image rm "$smoke" >/dev/null
  rm -rf "$ctx"
  trap - EXIT
fi

cat >"$STATE/env" <<ENV
export DOCKER=$DOCKER
export LAMBDA_DOCKER_BASE_IMAGE=$BASE_IMAGE
export LAMBDA_DOCKER_REGISTRY=$REGISTRY
ENV
log "ready; source $STATE/env: $(tr '\n' ' ' <"$STATE/env")"
