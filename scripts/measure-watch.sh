#!/usr/bin/env bash
# Measures what watching costs: CPU (% of one core) and RSS of `cockpit demo` (release build)
# running in a 120x40 tmux pane, sampled from /proc over a fixed window.
# The demo process also hosts the simulator, so these figures include serving the API too.
# Usage: scripts/measure-watch.sh [SECONDS]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
cargo build --release --bin cockpit >/dev/null
bin="$PWD/target/release/cockpit"
sock="cockpit-measure-$$"
tmp=$(mktemp -d)
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$tmp"' EXIT
tmux -L "$sock" -f /dev/null new-session -d -x 120 -y 40 -s m \
  "env XDG_STATE_HOME=$tmp XDG_CONFIG_HOME=$tmp $bin demo"
pid=""
for _ in $(seq 1 50); do
  pid=$(pgrep -f "^$bin demo" | head -n1 || true)
  [ -n "$pid" ] && break
  sleep 0.1
done
[ -n "$pid" ] || { echo "cockpit did not start" >&2; exit 1; }
sleep 5   # let the first polls and the log index settle
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
t0=$(ticks); s0=$(date +%s.%N)
max_rss=0
for _ in $(seq 1 "$secs"); do
  sleep 1
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  [ "$rss" -gt "$max_rss" ] && max_rss=$rss
done
t1=$(ticks); s1=$(date +%s.%N)
awk -v t0="$t0" -v t1="$t1" -v s0="$s0" -v s1="$s1" -v hz="$hz" -v rss="$max_rss" -v secs="$secs" 'BEGIN {
  cpu = (t1 - t0) / hz / (s1 - s0) * 100
  printf "watched %d s: CPU %.2f %% of one core, peak RSS %.1f MiB\n", secs, cpu, rss / 1024
}'
