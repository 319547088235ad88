#!/usr/bin/env bash
# Checks a running evomerge's metrics with the real tools:
#   1. `promtool check metrics` on its /metrics exposition;
#   2. `promtool check config` on deploy/prometheus/prometheus.yml (retargeted to TARGET, 1 s interval);
#   3. a Prometheus server started from that config scrapes it: the target is up and evomerge_run_info is queryable.
# Usage: deploy/check-prometheus-scrape.sh [HOST:PORT]   (default 127.0.0.1:9464). Needs promtool, prometheus, curl
# (deploy/install-prometheus.sh installs the first two). Exit 0 when every check passes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
target="${1:-127.0.0.1:9464}"
for tool in promtool prometheus curl; do
  command -v "$tool" >/dev/null || { echo "$tool not found: run deploy/install-prometheus.sh" >&2; exit 2; }
done
work="$(mktemp -d)"
pid=""
cleanup() {
  if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

curl -fsS "http://$target/metrics" > "$work/metrics.txt"
if ! promtool check metrics < "$work/metrics.txt" > "$work/lint.txt" 2>&1; then
  echo "promtool check metrics: FAILED"
  cat "$work/lint.txt"
  exit 1
fi
echo "promtool check metrics: ok"

sed -e "s/127\.0\.0\.1:9464/$target/" -e 's/scrape_interval: .*/scrape_interval: 1s/' -e 's/scrape_timeout: .*/scrape_timeout: 1s/' \
  "$here/prometheus/prometheus.yml" > "$work/prometheus.yml"
promtool check config "$work/prometheus.yml" > "$work/config-check.txt" 2>&1 || { cat "$work/config-check.txt"; exit 1; }
echo "promtool check config: ok"

port=""
for _ in $(seq 1 50); do
  candidate=$((20000 + RANDOM % 40000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
done
[[ -n "$port" ]] || { echo "no free port for prometheus" >&2; exit 1; }
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" --web.listen-address="127.0.0.1:$port" \
  > "$work/prometheus.log" 2>&1 &
pid=$!
api="http://127.0.0.1:$port/api/v1"
for _ in $(seq 1 120); do
  if curl -fsS "$api/query?query=up%7Bjob%3D%22evomerge%22%7D" 2>/dev/null | grep -q '"value":\[[0-9.]*,"1"\]' \
     && curl -fsS "$api/query?query=evomerge_run_info" 2>/dev/null | grep -q '"run_id"'; then
    echo "target up: prometheus on 127.0.0.1:$port scraped $target (evomerge_run_info present)"
    exit 0
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
echo "prometheus did not scrape $target successfully"
curl -fsS "$api/targets" 2>/dev/null || true
echo
tail -n 20 "$work/prometheus.log"
exit 1
