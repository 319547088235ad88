#!/usr/bin/env bash
# Installs redis-server (Debian's `redis-server` package) when it is missing; does nothing otherwise. The Redis
# cluster-membership integration test starts its own server on a free port.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi
sudo=""
if [[ "$(id -u)" != 0 ]]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends redis-server >/dev/null
# The package starts a system service on :6379; the test runs its own server, so stop it where it started.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
  $sudo systemctl stop redis-server || true
fi
command -v redis-server >/dev/null
