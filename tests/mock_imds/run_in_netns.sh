#!/usr/bin/env bash
# Runs a script against the mock IMDS inside a network namespace that has
# nothing but loopback, after pointing every metadata address spelling at
# the mock. Even a spelling the substitution misses cannot leave the machine.
#
#   run_in_netns.sh INTERPRETER SCRIPT LOG
#
# INTERPRETER: bash, sh or python3. Prints the script's stdout; its exit
# code is the script's. LOG receives the mock's request log (JSON lines).
set -euo pipefail
interp=$1 script=$2 log=$3
here=$(cd "$(dirname "$0")" && pwd)

if [[ -z "${IMDS_LINT_IN_NETNS:-}" ]]; then
  exec unshare --net env IMDS_LINT_IN_NETNS=1 bash "$0" "$@"
fi

ip link set lo up
# Nothing but loopback may be up in here.
if ip -o link show | grep -v ': lo:' | grep -q 'state UP'; then
  echo "refusing to run: a non-loopback interface is up" >&2
  exit 97
fi

work=$(mktemp -d)
trap 'kill "$mock" 2>/dev/null || true; rm -rf "$work"' EXIT
: > "$log"
python3 "$here/mock_imds.py" --host 127.0.0.1 --port 80 --log "$log" --ready "$work/ready" &
mock=$!
for _ in $(seq 100); do [[ -e "$work/ready" ]] && break; sleep 0.05; done

sed -E \
  -e 's/\[fd00:ec2(:0)*::?(0:)*254\]/127.0.0.1/g' \
  -e 's/instance-data(\.ec2\.internal)?/127.0.0.1/g' \
  -e 's/169\.254\.169\.254/127.0.0.1/g' \
  -e 's/2852039166/127.0.0.1/g' \
  -e 's/0[xX][aA]9[fF][eE][aA]9[fF][eE]/127.0.0.1/g' \
  -e 's/0251\.0376\.0251\.0376/127.0.0.1/g' \
  "$script" > "$work/script"

cd "$work"
timeout 60 "$interp" "$work/script"
