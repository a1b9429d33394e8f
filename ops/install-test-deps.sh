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
# promtool and amtool check the monitor's rendered configs and unit-test its alert rules
# (tests/unit/monitor-*.test.ts). Only the two binaries are taken from Debian's packages, into
# build/tools/bin: installing the packages would also start a Prometheus and an Alertmanager.
tools=build/tools/bin
if [ ! -x "$tools/promtool" ] || [ ! -x "$tools/amtool" ]; then
  echo "extracting promtool and amtool from Debian's prometheus and prometheus-alertmanager"
  mkdir -p "$tools"
  debs=$(mktemp -d)
  download() { (cd "$debs" && timeout 300 apt-get download -q prometheus prometheus-alertmanager >/dev/null 2>&1); }
  # A fresh machine may have no package lists yet: update them once (as root) and retry.
  download || { [ "$(id -u)" -eq 0 ] && apt-get update -qq && download; } || {
    echo "could not download prometheus and prometheus-alertmanager (apt-get download)" >&2
    exit 1
  }
  for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$debs/root"; done
  cp "$debs/root/usr/bin/promtool" "$debs/root/usr/bin/amtool" "$tools/"
  rm -rf "$debs"
fi
if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi
