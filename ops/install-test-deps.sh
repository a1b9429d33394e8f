#!/usr/bin/env bash
# Installs what `make test` needs and is quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
for tool in espeak-ng sox restic chromium; do command -v "$tool" >/dev/null || need+=("$tool"); done
# ssh and ssh-keygen: restic's SFTP backend and the stack test that runs it against an sshd.
command -v ssh-keygen >/dev/null || need+=(openssh-client)
# certutil puts the stack's local CA into the browser tests' own NSS database.
command -v certutil >/dev/null || need+=(libnss3-tools)
# The PostgreSQL server binaries, for the tests that run the store on a real server.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
# A transaction-mode pooler in front of it: the API must refuse one at start (Supabase's port 6543).
[ -x /usr/sbin/pgbouncer ] || need+=(pgbouncer)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "missing: ${need[*]}; install them with your package manager (Debian: apt-get install ${need[*]})" >&2
    exit 1
  fi
  echo "installing ${need[*]} (apt-get)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi
