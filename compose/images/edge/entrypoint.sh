#!/bin/sh
# Writes what nginx.conf includes from /tmp (the root is read-only):
# - /tmp/tls: the mounted certificate when there is one (TLS_DIR, e.g. certbot's), else a
#   self-signed one made now, so the edge always starts, and /tmp/edge/stapling.conf (edge-tls);
# - /tmp/edge/limits.conf: the upload limit (MAX_UPLOAD_MB, as the API's) and the HTTPS port;
# - /tmp/edge/http.conf: with HTTPS_PORT set, port 8080 redirects to HTTPS; else it serves;
# - /tmp/edge/resolver.conf: the DNS server nginx asks for the API's address (EDGE_RESOLVER,
#   default Docker's embedded 127.0.0.11; `auto` takes resolv.conf's first nameserver, which is
#   the cluster's DNS on Kubernetes);
# - /tmp/edge/upstream.conf: where the API is (API_UPSTREAM host:port, default api:8080). A deploy
#   rewrites it with `docker exec` and reloads; a restarted edge starts from the default, which
#   is the compose service, i.e. whichever release compose runs.
set -eu
TLS_DIR=${TLS_DIR:-/etc/nginx/tls}
MAX_UPLOAD_MB=${MAX_UPLOAD_MB:-200}
HTTPS_PORT=${HTTPS_PORT:-}
API_UPSTREAM=${API_UPSTREAM:-api:8080}
EDGE_RESOLVER=${EDGE_RESOLVER:-127.0.0.11}
number() { case $2 in '' | *[!0-9]*) echo "edge: $1 must be a number, got '$2'" >&2 && exit 1 ;; esac; }
number MAX_UPLOAD_MB "$MAX_UPLOAD_MB"
mkdir -p /tmp/tls /tmp/edge

case $API_UPSTREAM in *[!A-Za-z0-9_.:-]*) echo "edge: API_UPSTREAM must be host:port, got '$API_UPSTREAM'" >&2 && exit 1 ;; esac
echo "set \$api http://$API_UPSTREAM;" >/tmp/edge/upstream.conf
if [ "$EDGE_RESOLVER" = auto ]; then
  EDGE_RESOLVER=$(awk '$1 == "nameserver" { print $2; exit }' /etc/resolv.conf)
fi
case $EDGE_RESOLVER in '' | *[!0-9A-Fa-f.:]*) echo "edge: EDGE_RESOLVER must be an IP address or auto, got '$EDGE_RESOLVER'" >&2 && exit 1 ;; esac
# An IPv6 resolver is written in brackets, as nginx wants it.
case $EDGE_RESOLVER in *:*) EDGE_RESOLVER="[$EDGE_RESOLVER]" ;; esac
echo "resolver $EDGE_RESOLVER valid=10s ipv6=off;" >/tmp/edge/resolver.conf
# Exactly the API's own refusal by declared size (the upload limit plus 64 KiB for the form
# around the file, api/src/uploads/ingest.ts): a body over it is refused here, with a JSON 413 that
# names the limit, after nginx has read and thrown away the body. The API refusing it instead, while
# the edge still streams the body to it, ended in a broken pipe and the edge's 503.
echo "client_max_body_size $((MAX_UPLOAD_MB * 1048576 + 65536));" >/tmp/edge/limits.conf
echo "set \$max_upload_mb $MAX_UPLOAD_MB;" >>/tmp/edge/limits.conf
if [ -n "$HTTPS_PORT" ]; then
  number HTTPS_PORT "$HTTPS_PORT"
  suffix=":$HTTPS_PORT"
  [ "$HTTPS_PORT" = 443 ] && suffix=""
  echo "set \$https_suffix \"$suffix\";" >>/tmp/edge/limits.conf
  ln -sf /etc/nginx/edge/http-redirect.conf /tmp/edge/http.conf
else
  echo 'set $https_suffix "";' >>/tmp/edge/limits.conf
  ln -sf /etc/nginx/edge/site.conf /tmp/edge/http.conf
fi

edge-tls "$TLS_DIR" --or-self-signed
exec "$@"
