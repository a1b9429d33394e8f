#!/bin/sh
# edge-tls DIR [--or-self-signed]: points the edge's TLS files (/tmp/tls, a tmpfs) at the
# certificate in DIR (fullchain.pem, privkey.pem, and chain.pem when there is one) and writes
# /tmp/edge/stapling.conf: OCSP stapling on when the certificate names an OCSP responder, off
# (with the reason) when it names none (Let's Encrypt since 2025, pebble, the local CA).
# The entrypoint runs it at start; `make certs`/`make renew-certs` run it with `docker exec`
# before `nginx -s reload`. With --or-self-signed, a missing certificate gives a self-signed one.
set -eu
dir=$1
mkdir -p /tmp/tls /tmp/edge
if [ -s "$dir/fullchain.pem" ] && [ -s "$dir/privkey.pem" ]; then
  # Links, so a renewed certificate is picked up by `nginx -s reload`.
  ln -sfn "$dir/fullchain.pem" /tmp/tls/fullchain.pem
  ln -sfn "$dir/privkey.pem" /tmp/tls/privkey.pem
  if [ -s "$dir/chain.pem" ]; then ln -sfn "$dir/chain.pem" /tmp/tls/chain.pem; else rm -f /tmp/tls/chain.pem; fi
elif [ "${2:-}" = --or-self-signed ]; then
  name=${SERVER_NAME:-localhost}
  echo "edge: no certificate in $dir; serving :8443 with a self-signed one for $name" >&2
  rm -f /tmp/tls/fullchain.pem /tmp/tls/privkey.pem /tmp/tls/chain.pem
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
    -subj "/CN=$name" -addext "subjectAltName=DNS:$name,DNS:localhost,IP:127.0.0.1" \
    -keyout /tmp/tls/privkey.pem -out /tmp/tls/fullchain.pem 2>/dev/null
else
  echo "edge: no fullchain.pem and privkey.pem in $dir" >&2
  exit 1
fi

ocsp=$(openssl x509 -noout -ocsp_uri -in /tmp/tls/fullchain.pem 2>/dev/null || true)
if [ -n "$ocsp" ] && [ -e /tmp/tls/chain.pem ]; then
  printf 'ssl_stapling on;\nssl_stapling_verify on;\nssl_trusted_certificate /tmp/tls/chain.pem;\n' >/tmp/edge/stapling.conf.new
else
  echo '# No OCSP stapling: the certificate names no OCSP responder (or no chain.pem to verify with).' >/tmp/edge/stapling.conf.new
fi
mv /tmp/edge/stapling.conf.new /tmp/edge/stapling.conf
