#!/usr/bin/env bash
# CPU of the whole cockpit (probe scheduling, update, drawing) with 200 health checks at a
# 1 s interval. The checks hit a `cockpit demo` simulator running as a separate process, so
# only the watching cockpit is measured. Usage: scripts/measure-checks.sh [SECONDS] [CHECKS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
checks=${2:-200}
cargo build --release --bin cockpit >/dev/null
bin="$PWD/target/release/cockpit"
tmp=$(mktemp -d)
sock="cockpit-checks-$$"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$tmp"' EXIT

# The simulator: the demo in its own pane (it serves /_env/*/api/health/).
tmux -L "$sock" -f /dev/null new-session -d -x 120 -y 40 -s sim \
  "env XDG_STATE_HOME=$tmp $bin demo --sim-port $port"
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/_env/production/api/health/" >/dev/null && break; sleep 0.1; done

{
  printf '[github]\napi_url = "http://127.0.0.1:%s"\n\n[[repo]]\nname = "acme/shop"\n\n' "$port"
  for e in $(seq 1 $((checks / 10))); do
    printf '[[environment]]\nname = "env%02d"\n' "$e"
    for c in $(seq 1 10); do
      printf '  [[environment.check]]\n  name = "c%02d"\n  url = "http://127.0.0.1:%s/_env/production/api/health/"\n  interval = "1s"\n  timeout = "1s"\n  json = { "/status" = "UP" }\n' "$c" "$port"
    done
  done
} > "$tmp/cockpit.toml"

tmux -L "$sock" new-session -d -x 200 -y 60 -s watch \
  "env XDG_STATE_HOME=$tmp GH_TOKEN=unused $bin --config $tmp/cockpit.toml"
tmux -L "$sock" send-keys -t watch 2
pid=""
for _ in $(seq 1 50); do
  pid=$(pgrep -f "^$bin --config $tmp/cockpit.toml" | head -n1 || true)
  [ -n "$pid" ] && break
  sleep 0.1
done
[ -n "$pid" ] || { echo "cockpit did not start" >&2; exit 1; }
sleep 5
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
t0=$(ticks); s0=$(date +%s.%N)
sleep "$secs"
t1=$(ticks); s1=$(date +%s.%N)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
awk -v t0="$t0" -v t1="$t1" -v s0="$s0" -v s1="$s1" -v hz="$hz" -v rss="$rss" -v n="$checks" -v secs="$secs" 'BEGIN {
  printf "%d checks at 1 s for %d s: cockpit CPU %.2f %% of one core, RSS %.1f MiB\n", n, secs, (t1 - t0) / hz / (s1 - s0) * 100, rss / 1024
}'
