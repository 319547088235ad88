#!/usr/bin/env bash
# Installs Prometheus and Grafana as systemd user services that keep running beside a long search (no containers):
#   evomerge-prometheus.service  scrapes 127.0.0.1:9464 with deploy/prometheus/prometheus.yml, keeps 30 days;
#   evomerge-grafana.service     serves 127.0.0.1:3000 with the datasource and dashboard provisioned from deploy/grafana.
# Idempotent: files are rewritten only when they change, and a second run reports "unchanged". Refuses, writing
# nothing, when prometheus or grafana-server is missing. Data lives under $EVOMERGE_MONITORING_STATE
# (default ${XDG_STATE_HOME:-~/.local/state}/evomerge-monitoring), units go to $EVOMERGE_UNIT_DIR (default
# ${XDG_CONFIG_HOME:-~/.config}/systemd/user). Grafana's home: $GRAFANA_HOME (default /usr/share/grafana).
# Usage: deploy/install-monitoring-units.sh [--no-start]   (--no-start: write the files only, enable nothing)
set -euo pipefail
deploy="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
start=1
case "${1:-}" in
  "") ;;
  --no-start) start=0 ;;
  *) echo "usage: $0 [--no-start]" >&2; exit 2 ;;
esac

prometheus="$(command -v prometheus || true)"
grafana="$(command -v grafana-server || true)"
grafana_home="${GRAFANA_HOME:-/usr/share/grafana}"
missing=()
[[ -n "$prometheus" ]] || missing+=("prometheus (deploy/install-prometheus.sh installs it)")
[[ -n "$grafana" ]] || missing+=("grafana-server (install Grafana: https://grafana.com/docs/grafana/latest/setup-grafana/installation/)")
if [[ -n "$grafana" && ! -f "$grafana_home/conf/defaults.ini" ]]; then
  missing+=("Grafana's home $grafana_home/conf/defaults.ini (set GRAFANA_HOME)")
fi
if (( ${#missing[@]} > 0 )); then
  for m in "${missing[@]}"; do echo "install-monitoring-units: not found: $m" >&2; done
  echo "install-monitoring-units: nothing installed" >&2
  exit 2
fi

state="${EVOMERGE_MONITORING_STATE:-${XDG_STATE_HOME:-$HOME/.local/state}/evomerge-monitoring}"
units="${EVOMERGE_UNIT_DIR:-${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user}"
mkdir -p "$state/prometheus" "$state/grafana/data" "$state/grafana/logs" "$state/grafana/plugins" \
  "$state/grafana/provisioning/datasources" "$state/grafana/provisioning/dashboards" "$units"

# install TARGET: writes stdin to TARGET unless it already holds exactly that, and says which.
install_file() {
  local target="$1" tmp
  tmp="$(mktemp "$target.XXXXXX")"
  cat > "$tmp"
  if [[ -f "$target" ]] && cmp -s "$tmp" "$target"; then
    rm -f "$tmp"; echo "unchanged $target"
  else
    mv -f "$tmp" "$target"; echo "wrote $target"
  fi
}
fill() {
  sed -e "s|@PROMETHEUS@|$prometheus|g" -e "s|@GRAFANA@|$grafana|g" -e "s|@GRAFANA_HOME@|$grafana_home|g" \
      -e "s|@DEPLOY@|$deploy|g" -e "s|@STATE@|$state|g" "$1"
}

install_file "$state/grafana/grafana.ini" <<INI
; Written by deploy/install-monitoring-units.sh.
[paths]
data = $state/grafana/data
logs = $state/grafana/logs
plugins = $state/grafana/plugins
provisioning = $state/grafana/provisioning
[server]
http_addr = 127.0.0.1
http_port = 3000
INI
install_file "$state/grafana/provisioning/datasources/evomerge-prometheus.yml" < "$deploy/grafana/provisioning/datasources/evomerge-prometheus.yml"
sed -e "s|path: .*|path: $deploy/grafana/dashboards|" "$deploy/grafana/provisioning/dashboards/evomerge.yml" \
  | install_file "$state/grafana/provisioning/dashboards/evomerge.yml"
fill "$deploy/systemd/evomerge-prometheus.service" | install_file "$units/evomerge-prometheus.service"
fill "$deploy/systemd/evomerge-grafana.service" | install_file "$units/evomerge-grafana.service"

if (( start )); then
  systemctl --user daemon-reload
  systemctl --user enable --now evomerge-prometheus.service evomerge-grafana.service
  echo "running: Prometheus on http://127.0.0.1:9090, Grafana on http://127.0.0.1:3000 (dashboard \"EvoMerge search\")"
  echo "to keep them running after you log out: loginctl enable-linger $USER"
fi
