#!/usr/bin/env bash
# Plays docs/walkthrough.md's release against `cockpit demo` in a detached tmux session and
# writes what the screen shows at each step to docs/captures/NN-name.txt, then copies those
# captures into the walkthrough's ```text blocks (between `<!-- capture: NAME -->` and
# `<!-- /capture -->`). Every screen in the walkthrough comes from here, never typed by hand.
#
# Usage: scripts/capture-walkthrough.sh           capture everything, then update the doc
#        scripts/capture-walkthrough.sh --embed   only copy the existing captures into the doc
#
# COCKPIT_BIN names the binary (default: target/release/cockpit, build it first with
# `cargo build --release`); COCKPIT_SIM_PORT the simulator's port (default: 8765, or the
# next free one). Needs tmux, curl and awk. Takes about three and a half minutes: the demo's
# story runs in real time.
#
# Waits are bounded: each polls the screen until what the step expects is there, and gives
# up with the last screen it saw. The demo runs with its own HOME, XDG dirs, USER and TZ so
# the captures do not depend on this machine (audit log, palette history, local time).
set -euo pipefail
cd "$(dirname "$0")/.."

doc=docs/walkthrough.md
out=docs/captures
width=110
height=32

# ---------------------------------------------------------------------------------------------
# Copying the captures into the doc. In the doc, a run of empty rows is cut to one (a 32-row
# screen is mostly empty under a short list); `lines=A-B,C-D` keeps only those rows.

embed() {
  local tmp
  tmp=$(mktemp)
  awk -v dir="$out" '
    # keep[n] says whether row n of the capture is shown (all rows when no lines= is given).
    function shown(n,    i) {
      if (nranges == 0) return 1
      for (i = 1; i <= nranges; i++) if (n >= from[i] && n <= to[i]) return 1
      return 0
    }
    function emit(name,    file, line, n, blank) {
      file = dir "/" name ".txt"
      if ((getline line < file) <= 0) {
        print "capture-walkthrough: no capture " file > "/dev/stderr"
        failed = 1
        return
      }
      print "```text"
      n = 0; blank = 0
      do {
        n++
        if (!shown(n)) continue
        if (line == "") { if (blank) continue; blank = 1 } else blank = 0
        print line
      } while ((getline line < file) > 0)
      close(file)
      print "```"
    }
    /^<!-- capture: [0-9A-Za-z_-]+( lines=[0-9]+-[0-9]+(,[0-9]+-[0-9]+)*)? -->$/ {
      print
      nranges = 0
      if ($4 ~ /^lines=/) {
        nranges = split(substr($4, 7), parts, ",")
        for (i = 1; i <= nranges; i++) { split(parts[i], r, "-"); from[i] = r[1] + 0; to[i] = r[2] + 0 }
      }
      emit($3)
      skipping = 1
      next
    }
    /^<!-- capture:/ { print "capture-walkthrough: malformed marker: " $0 > "/dev/stderr"; failed = 1 }
    /^<!-- \/capture -->$/ { skipping = 0 }
    !skipping { print }
    END {
      if (skipping) { print "capture-walkthrough: a capture block is not closed" > "/dev/stderr"; exit 1 }
      if (failed) exit 1
    }
  ' "$doc" >"$tmp" || { rm -f "$tmp"; exit 1; }
  mv "$tmp" "$doc"
  echo "updated $doc from $out/"
}

if [ "${1:-}" = "--embed" ]; then
  embed
  exit 0
fi
[ $# -eq 0 ] || { echo "usage: $0 [--embed]" >&2; exit 2; }

for tool in tmux curl awk; do
  command -v "$tool" >/dev/null || { echo "capture-walkthrough: $tool is required" >&2; exit 1; }
done
bin=${COCKPIT_BIN:-$PWD/target/release/cockpit}
[ -x "$bin" ] || { echo "capture-walkthrough: no binary at $bin (cargo build --release, or set COCKPIT_BIN)" >&2; exit 1; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=${COCKPIT_SIM_PORT:-8765}
if [ -z "${COCKPIT_SIM_PORT:-}" ]; then
  while port_in_use "$port"; do port=$((port + 1)); done
fi
sim="http://127.0.0.1:$port"

home=$(mktemp -d)
sock="cockpit-walkthrough-$$"
session=walk
tmx() { tmux -L "$sock" "$@"; }
# kill-server leaves its socket file behind.
socket_file="${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"
trap 'tmx kill-server 2>/dev/null || true; rm -f "$socket_file"; rm -rf "$home"' EXIT

env_vars="HOME=$home XDG_STATE_HOME=$home/state XDG_CONFIG_HOME=$home/config USER=oncall TZ=UTC LANG=C.UTF-8"
tmx -u -f /dev/null new-session -d -x "$width" -y "$height" -s "$session" \
  "env $env_vars $bin demo --sim-port $port; echo COCKPIT_EXIT=\$?; sleep 600"
mkdir -p "$out"

# ---------------------------------------------------------------------------------------------
# Driving it.

SCREEN=""
screen() { tmx capture-pane -p -t "$session"; }

# One key (a tmux key name or a literal character) at a time, as a person types; Escape gets
# a longer pause so that a digit after it is not read as Alt-digit.
keys() {
  local k
  for k in "$@"; do
    tmx send-keys -t "$session" "$k"
    if [ "$k" = Escape ]; then sleep 0.4; else sleep 0.15; fi
  done
}
text() { tmx send-keys -t "$session" -l "$1"; sleep 0.2; }

# Predicates on the screen given on stdin.
has() { grep -qF -- "$1"; }
has_all() { local s; s=$(cat); for n in "$@"; do grep -qF -- "$n" <<<"$s" || return 1; done; }
# The rows of an environment's pane on the Environments view (panes stack at this width).
pane() {
  awk -v env="$1" '
    !inside && (index($0, "╭ " env " ") == 1 || index($0, "┏ " env " ") == 1) { inside = 1 }
    inside { print }
    inside && (index($0, "╰") == 1 || index($0, "┗") == 1) { exit }'
}
pane_has() { local env=$1; shift; pane "$env" | has_all "$@"; }
pane_lacks() { ! pane "$1" | grep -qF -- "$2"; }
staging_failed() { pane staging | grep -qE '· [1-9][0-9]* failures?'; }

# wait_for WHAT SECONDS PREDICATE [ARGS...]: polls until PREDICATE holds for the screen and
# leaves it in SCREEN: the screen of a moment later if it still holds then (so a frame drawn
# halfway is not what gets saved), else the one that matched (a notice may have moved on).
wait_for() {
  local what=$1 limit=$2
  shift 2
  local deadline=$((SECONDS + limit)) later
  while :; do
    SCREEN=$(screen)
    if "$@" <<<"$SCREEN"; then
      sleep 0.3
      later=$(screen)
      if "$@" <<<"$later"; then SCREEN=$later; fi
      return 0
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "capture-walkthrough: waited ${limit}s for $what; last screen:" >&2
      screen >&2
      exit 1
    fi
    sleep 0.2
  done
}

save() {
  printf '%s\n' "$SCREEN" >"$out/$1.txt"
  echo "captured $out/$1.txt"
}

control() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -d "$2" "$sim/_sim/$1")
  [ "$code" = 204 ] || { echo "capture-walkthrough: POST $sim/_sim/$1 $2 answered $code" >&2; exit 1; }
  echo "POST /_sim/$1 $2"
}

# ---------------------------------------------------------------------------------------------
# CI: the runs, the failed run, its log, a re-run, the build job.

wait_for "the runs and the gate notice" 30 has_all "Deploy Production" "#313" "#312" "gate opened"
save 01-runs

# Newest first: CI #313, Deploy Staging #58, Deploy Production #8, CI #312.
keys j j j Enter
wait_for "CI #312 with its failed step" 20 has_all "✗ CI #312" "◀ failed here"
save 02-run-failed

keys l
wait_for "the test job's log at its first error" 20 has_all "log: test" "line 42/64"
save 03-log-first-error
keys n
wait_for "the next error" 10 has "line 44/64"
save 04-log-next-error

keys Escape
wait_for "the run again" 10 has "◀ failed here"
keys e
wait_for "the re-run confirmation" 10 has "Re-run failed jobs of CI #312"
save 05-rerun-confirm
keys y
wait_for "the re-run's test job running" 30 has_all "attempt 2" "Run tests" "re-run requested"
save 06-rerun-running
wait_for "the build job running" 60 has "build  running"
save 07-build-job
wait_for "the re-run green" 60 has_all "✓ CI #312" "✓ build  success"
save 08-rerun-green

# ---------------------------------------------------------------------------------------------
# Staging: deployed on the merge to main, its cutover window opened by itself, the wobble.

keys Escape 2
wait_for "staging's own cutover window" 60 pane_has staging "watching: "
save 09-staging-cutover
# The demo makes staging answer 503 for 3 s at about t = 40 s: one or two failed probes.
wait_for "the wobble in staging's window" 60 staging_failed
save 10-staging-wobble

# ---------------------------------------------------------------------------------------------
# The production gate: approve with the comment and the phrase.

keys 3
wait_for "the Gates view" 20 has_all "Deploy Production #8" "can approve"
save 11-gates
keys a
wait_for "the comment prompt" 10 has "Approved v1.4.0 for production from cockpit"
save 12-approve-comment
keys Enter
wait_for "the phrase dialog" 10 has "disabled until the phrase matches"
save 13-approve-phrase
text "production v1.4.0"
wait_for "the confirm enabled" 10 has "[ Enter: confirm ]"
save 14-approve-phrase-typed
keys Enter
wait_for "the approval" 20 has "approved production for Deploy Production #8"
save 15-approved

# ---------------------------------------------------------------------------------------------
# The production deploy: its run, then its first job's log from the palette.

# The list is unchanged: CI #313, Deploy Staging #58, Deploy Production #8...
keys 1 g j j Enter
wait_for "the deploy's second job running" 90 has_all "Deploy Production #8" "✓ Backup Production Database  success" "Deploy to Production  running"
save 16-deploy-running
keys :
wait_for "the palette's command list" 10 has_all "rollback ENV [VERSION]" "Tab complete"
save 17-palette
text "logs "
keys Tab
wait_for "run ids completed" 10 has_all ":logs 9004" "9004  Deploy Production #8"
save 18-palette-complete
keys Enter
wait_for "the backup job's log" 20 has_all "log: Backup Production Database" "Complete job name: Backup Production Database"
save 19-deploy-log
keys Escape
wait_for "the deploy finished" 90 has "✓ Deploy Production #8"
keys Escape 2
wait_for "production's own cutover window, the new version read" 60 \
  pane_has production "watching: " "version v1.4.0  deployed v1.4.0"
save 20-production-cutover

# ---------------------------------------------------------------------------------------------
# Production breaks inside its window; roll back.

control health/production '{"mode":"down"}'
wait_for "production DOWN and UNSTABLE" 60 pane_has production "✗ DOWN" "UNSTABLE"
save 21-production-unstable

keys j R
wait_for "the rollback picker" 20 has_all "pick the version" "● live now" "Release v1.3.2"
save 22-rollback-picker
keys Enter
wait_for "the preflight with the commits undone" 20 has_all "— preflight" "Commits undone (" "will run"
save 23-rollback-preflight
keys Enter
wait_for "the rollback's phrase dialog" 10 has_all "Type exactly:  production v1.3.2" "disabled until the phrase matches"
save 24-rollback-phrase
text "production v1.3.2"
wait_for "the confirm enabled" 10 has "[ Enter: confirm ]"
keys Enter
wait_for "output streaming in" 30 has_all "— running" "switching the release symlink"
save 25-rollback-running
wait_for "the rollback done" 60 has_all "rolled back production to v1.3.2" "now serving v1.3.2"
save 26-rollback-done
# The simulator lifts the "down" switch when a rollback is recorded as succeeded: the server
# runs the old version again, and the checks find it healthy.
wait_for "healthy after" 60 has "healthy after"
save 27-rollback-healthy
keys Escape
wait_for "production's pane after the rollback" 20 pane_has production "● UP" "version v1.3.2"
# The rollback replaced the failed deploy's window with one of its own.
wait_for "the rollback's own window" 10 pane_has production "rolled back to v1.3.2"
save 28-after-rollback

# ---------------------------------------------------------------------------------------------
# Dispatch: the production form (left unsent), then a staging deploy sent.

keys 1 g j j d
wait_for "the production dispatch form" 20 has_all "Dispatch Deploy to Production" "the phrase will be asked"
save 30-dispatch-production-form
keys Escape k d
wait_for "the staging dispatch form" 20 has_all "Dispatch Deploy to Staging" "a y/N confirm will be asked"
keys Enter
wait_for "the dispatch confirmation" 10 has "Dispatch Deploy to Staging on main"
save 31-dispatch-confirm
keys y
wait_for "the new run opened" 30 has "Deploy Staging #59"
save 32-dispatch-new-run

# ---------------------------------------------------------------------------------------------
# Activity, then the audit log's chain checked from the shell.

keys Escape 4
wait_for "the actions in Activity" 20 has_all "dispatch deploy-staging.yml@main" "rollback v1.3.2" "approve Deploy Production #8"
save 33-activity

keys q
wait_for "cockpit to exit" 20 has "COCKPIT_EXIT=0"
# What an operator would type in a shell with the same environment, and its exit code.
cat >"$home/verify.sh" <<SH
clear
echo '\$ cockpit audit verify'
env $env_vars "$bin" audit verify
rc=\$?
echo '\$ echo \$?'
echo \$rc
sleep 600
SH
tmx respawn-pane -k -t "$session" "sh $home/verify.sh"
wait_for "audit verify" 20 has_all "audit log OK" "\$ echo \$?"
save 34-audit-verify

embed
