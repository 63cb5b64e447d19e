#!/bin/sh
# The image's commands. Each runs one process (exec), as the image's non-root user:
#   portal      the launcher (dist/start.mjs): configuration checks, migrations, the portal
#   proxy       the registry proxy (dist/proxy.mjs --production, with the proxy's V8 flags)
#   registry    the hosted registry: CNCF Distribution configured by `portcullis registry config`
#   migrate     apply the pending migrations to DATABASE_URL and exit
#   portcullis  the CLI: `portcullis kms status`, `portcullis admin bootstrap …`
# Anything else runs as given.
set -eu
command="${1:-portal}"
[ "$#" -gt 0 ] && shift
case "$command" in
  portal) exec node /app/dist/start.mjs "$@" ;;
  proxy) exec node --initial-heap-size=64 --expose-gc /app/dist/proxy.mjs --production "$@" ;;
  migrate) exec node /app/dist/portcullis.mjs migrate "$@" ;;
  portcullis) exec node /app/dist/portcullis.mjs "$@" ;;
  registry)
    # The config holds the events secret: it goes to /tmp (a tmpfs under --read-only), the
    # images to the data volume.
    config=/tmp/registry/config.yml
    mkdir -p /tmp/registry
    node /app/dist/portcullis.mjs registry config --storage "${PORTCULLIS_DATA_DIR:-/data}/registry" \
      --out "$config" --addr "0.0.0.0:${REGISTRY_PORT:-5000}" "$@"
    # Distribution reads every REGISTRY_* variable as config: it starts with a clean environment.
    exec env -i PATH=/usr/bin:/bin HOME=/tmp /usr/bin/docker-registry serve "$config" ;;
  *) exec "$command" "$@" ;;
esac
