#!/bin/sh
# One image, every process: the service comes from the first argument or PIXSIM_SERVICE.
#   docker run pixsim dispatcher          docker run -e PIXSIM_SERVICE=poller pixsim
#   docker run pixsim simulator --latency 2000 --account KEY:CREDITS:MAXCONC
#   docker run pixsim seed-account        (gives a fresh gateway the simulator's account)
#   docker run pixsim migrate             (builds every service's MongoDB indexes: npm run migrate)
#   docker run pixsim backup backup|restore …   (scripts/backup.ts: logical MongoDB backups)
#   docker run pixsim prune-consumers     (deletes consumer names of pods that are gone)
# tini is PID 1 and forwards SIGTERM; `exec` makes node its direct child, so the
# service's own graceful shutdown (its drain, derived from its config) is what a stop runs.
# Services and the simulator run the compiled dist/ (npm run build); the maintenance
# commands run their TypeScript through tsx. Source maps are on disk beside dist/: set
# NODE_OPTIONS=--enable-source-maps for stack traces in TypeScript lines (it costs memory).
set -eu

SERVICES="gateway job-intake dispatcher poller asset"

usage() {
  echo "usage: docker-entrypoint.sh <$(echo "$SERVICES" | tr ' ' '|')|simulator|seed-account|migrate|backup|prune-consumers|healthcheck> [args...]" >&2
  echo "       (or set PIXSIM_SERVICE)" >&2
  exit 64
}

# A first argument that is a flag belongs to the process PIXSIM_SERVICE names
# (compose: PIXSIM_SERVICE=simulator, command: [--latency, "2000"]).
case "${1:-}" in
  "" | -*) what=${PIXSIM_SERVICE:-} ;;
  *) what=$1; shift ;;
esac

case "$what" in
  gateway|job-intake|dispatcher|poller|asset)
    export PIXSIM_SERVICE="$what"
    export OTEL_SERVICE_NAME="${OTEL_SERVICE_NAME:-$what}"
    # The V8 flags are the supervisor's too (serviceNodeFlags in @pixsim/cli): the young
    # generation's semi-spaces, 8 MiB for the gateway's requests, 16 for the poller's status
    # calls, 2 MiB for the other workers; and an old generation that grows 30% past the live
    # heap before it is collected; and WebAssembly (undici's HTTP parser) left on V8's
    # baseline compiler, but in the poller, whose thousands of status calls a second want
    # the optimising one.
    semi=2
    [ "$what" = gateway ] && semi=8
    [ "$what" = poller ] && semi=16
    wasm=--liftoff-only
    [ "$what" = poller ] && wasm=
    # shellcheck disable=SC2086 # $wasm is one flag or none
    exec node --max-semi-space-size=$semi --heap-growing-percent=30 $wasm --import ./dist/telemetry-register.js "dist/services/$what/main.js" "$@"
    ;;
  simulator|pixverse-sim)
    export PIXSIM_SERVICE=simulator
    # Later flags win, so "--port N" or "--host H" in the arguments override these.
    exec node dist/pixverse-sim.js --host 0.0.0.0 --port "${SIM_PORT:-8080}" "$@"
    ;;
  seed-account)
    exec node --import tsx deploy/seed-account.ts "$@"
    ;;
  migrate)
    # npm writes its cache and logs under HOME; the root filesystem is read-only.
    export HOME=/tmp npm_config_cache=/tmp/.npm npm_config_update_notifier=false
    exec npm run --silent migrate -- "$@"
    ;;
  backup)
    exec node --import tsx scripts/backup.ts "$@"
    ;;
  prune-consumers)
    exec node --import tsx scripts/prune-consumers.ts "$@"
    ;;
  healthcheck)
    exec node deploy/healthcheck.mjs "$@"
    ;;
  "")
    echo "docker-entrypoint.sh: no service given" >&2
    usage
    ;;
  *)
    echo "docker-entrypoint.sh: unknown service \"$what\"" >&2
    usage
    ;;
esac
