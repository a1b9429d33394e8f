#!/bin/sh
# Runs certbot with the given arguments, then reports in lines the ops script reads:
#   DEPLOYED <lineage>                   once per certificate the deploy hook ran for (issued or renewed)
#   CERT <name> <serial hex> <notAfter>  every certificate in the volume, after the run (epoch s)
# The work and log folders are on the container's tmpfs: only the account, the keys, the
# certificates and the renewal settings persist (the letsencrypt volume). The key is never printed.
set -u
dirs="--config-dir /etc/letsencrypt --work-dir /tmp/certbot/work --logs-dir /tmp/certbot/logs"
mkdir -p /tmp/certbot/work /tmp/certbot/logs
if [ ! -w /etc/letsencrypt ] || [ ! -w /var/www/acme ]; then
  echo "certbot: /etc/letsencrypt and /var/www/acme must be writable by $(id -un) (uid $(id -u))" >&2
  exit 2
fi
: >/tmp/certbot/deployed
# shellcheck disable=SC2086
certbot "$@" $dirs --deploy-hook 'echo "$RENEWED_LINEAGE" >>/tmp/certbot/deployed'
rc=$?
if [ $rc -ne 0 ] && [ -s /tmp/certbot/logs/letsencrypt.log ]; then
  # The lines that say why (certbot's console shows only a summary); no key material is logged.
  grep -E 'ERROR|Error|error:|Failed|refused|timed out|Connection' /tmp/certbot/logs/letsencrypt.log | tail -n 5 | sed 's/^/certbot log: /' >&2
fi
sed 's/^/DEPLOYED /' /tmp/certbot/deployed
certbot-certificates
exit $rc
