#!/bin/sh
# pebble's listener key pair (SAN: the container's names on the network), then its config.
set -eu
HTTP_PORT=${HTTP_PORT:-8080}
TLS_PORT=${TLS_PORT:-8443}
NAMES=${PEBBLE_NAMES:-pebble,localhost}
dir=/tmp/pebble
mkdir -p $dir
san=$(echo "$NAMES" | tr ',' '\n' | sed 's/^/DNS:/' | paste -sd, -)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 7 \
  -subj "/CN=pebble listener" -addext "subjectAltName=$san,IP:127.0.0.1" \
  -keyout $dir/key.pem -out $dir/cert.pem 2>/dev/null
cat >$dir/pebble.json <<JSON
{
  "pebble": {
    "listenAddress": "0.0.0.0:14000",
    "managementListenAddress": "0.0.0.0:15000",
    "certificate": "$dir/cert.pem",
    "privateKey": "$dir/key.pem",
    "httpPort": $HTTP_PORT,
    "tlsPort": $TLS_PORT,
    "ocspResponderURL": "",
    "externalAccountBindingRequired": false
  }
}
JSON
exec pebble -config $dir/pebble.json "$@"
