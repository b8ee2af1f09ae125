#!/usr/bin/env bash
# Makes this machine ready for `make test`: Debian's Chromium for the browser tests, and PostgreSQL and Redis
# running on loopback (installed from Debian's packages if missing, started if stopped). Idempotent and quiet
# when everything is there already. Prints the TEST_* variables to export.
set -euo pipefail

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
command -v pg_ctlcluster >/dev/null 2>&1 || need_apt+=(postgresql)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "test-env: installing ${need_apt[*]} from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq "${need_apt[@]}" >&2
fi

pg_ready() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
if ! pg_ready; then
  echo "test-env: starting PostgreSQL" >&2
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
  for _ in $(seq 1 50); do pg_ready && break; sleep 0.2; done
  # A fresh install uses peer auth on the socket only; the tests connect over TCP as postgres without a password.
  if ! psql "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable" -qtAc 'select 1' >/dev/null 2>&1; then
    hba=$(ls /etc/postgresql/"$version"/main/pg_hba.conf)
    printf 'host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n' | cat - "$hba" > "$hba.new" && mv "$hba.new" "$hba"
    pg_ctlcluster --skip-systemctl-redirect "$version" main reload >&2
  fi
fi
pg_ready || { echo "test-env: PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }
if ! psql "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable" -qtAc "select 1 from pg_database where datname='test'" | grep -q 1; then
  psql "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable" -qc 'create database test' >&2
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "test-env: starting Redis" >&2
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no >&2
  for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "test-env: Redis is not reachable on 127.0.0.1:6379" >&2; exit 1; }

echo "TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
echo "TEST_REDIS_URL=redis://127.0.0.1:6379/0"
