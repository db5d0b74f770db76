#!/usr/bin/env bash
# The project's test command (README, CI). Installs the system packages the tests need,
# builds the release binary the end-to-end tests drive, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v tmux >/dev/null 2>&1 || need+=(tmux)
# The rollback tests start a real sshd and connect with the ssh client.
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
{ command -v ssh >/dev/null 2>&1 && command -v ssh-keygen >/dev/null 2>&1; } || need+=(openssh-client)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing test dependencies: ${need[*]}"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  else
    echo "error: the tests need ${need[*]}; install them (e.g. apt-get install ${need[*]})" >&2
    exit 1
  fi
fi

cargo build --release --bin cockpit
COCKPIT_BIN="$PWD/target/release/cockpit" cargo test --all-features "$@"
