#!/usr/bin/env bash
# Times imds-lint against ripgrep on generated exported workspaces, in the same
# run, and scores imds-lint's report against what the generator inserted.
#
#   bench/run.sh [--profile sparse|dense|all] [--quick] [--runs N]
#
#   --profile   which workload (default: all)
#   --quick     small workloads (500 and 100 files): a smoke test, not figures
#   --runs N    timed runs per command, after one warm-up (default 3; one-file runs take at least 20)
#
# Environment: IMDS_LINT=PATH times that binary instead of building one;
# BENCH_NO_INSTALL=1 installs nothing (ripgrep and GNU time must be present);
# BENCH_TIMER=shell times with a shell loop even where hyperfine is installed.
# Workloads are cached in target/bench-data/ under the generator's hash; the
# report goes to target/bench-data/results.md and to standard output.
# docs/performance.md describes the workloads, the targets and the figures.
set -euo pipefail

usage() { sed -n '5,16p' "$0" | sed 's/^# \{0,1\}//'; }

profiles=(sparse dense)
quick=0
runs=3
while (($#)); do
  case $1 in
    --profile)
      case ${2:-} in
        sparse | dense) profiles=("$2") ;;
        all) profiles=(sparse dense) ;;
        *) echo "run.sh: --profile takes sparse, dense or all" >&2; exit 2 ;;
      esac
      shift ;;
    --quick) quick=1 ;;
    --runs)
      [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --runs takes a positive number" >&2; exit 2; }
      runs=$2
      shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
target_dir=${CARGO_TARGET_DIR:-$root/target}
data=$target_dir/bench-data
mkdir -p "$data"
work=$(mktemp -d "$data/run.XXXXXX")
memory=""  # a folder on /dev/shm while --fix is timed there
trap 'rm -rf "$work" ${memory:+"$memory"}' EXIT
results=$work/results.jsonl
: >"$results"

say() { printf '==> %s\n' "$*" >&2; }
fail() { echo "run.sh: $*" >&2; exit 2; }

# Appends one JSON object built from key/value pairs to the results.
record() {
  python3 -c 'import json, sys; a = sys.argv[1:]; print(json.dumps(dict(zip(a[::2], a[1::2]))))' "$@" >>"$results"
}
note() { say "note: $*"; record type note text "$*"; }

# --- tools ------------------------------------------------------------------------

apt_updated=0
install_package() {
  [[ ${BENCH_NO_INSTALL:-0} != 1 && $(id -u) == 0 ]] && command -v apt-get >/dev/null || return 1
  if ((apt_updated == 0)); then
    apt-get update -qq >&2 || return 1
    apt_updated=1
  fi
  say "apt-get install $1"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >&2
}

command -v python3 >/dev/null || fail "python3 is needed (the generator and the report use it)"
if ! command -v rg >/dev/null; then
  install_package ripgrep || { [[ ${BENCH_NO_INSTALL:-0} != 1 ]] && cargo install --locked ripgrep >&2; } || true
fi
command -v rg >/dev/null || fail "ripgrep (rg) is needed: apt-get install ripgrep, or cargo install ripgrep"
[[ -x /usr/bin/time ]] || install_package time || true
[[ -x /usr/bin/time ]] || fail "GNU time (/usr/bin/time) is needed for peak memory: apt-get install time"
if [[ ${BENCH_TIMER:-} != shell ]]; then
  command -v hyperfine >/dev/null || install_package hyperfine || true
fi
if [[ ${BENCH_TIMER:-} != shell ]] && command -v hyperfine >/dev/null; then
  timer="hyperfine $(hyperfine --version | cut -d' ' -f2)"
else
  timer="a shell loop (date +%s%N)"
fi

if [[ -n ${IMDS_LINT:-} ]]; then
  bin=$IMDS_LINT
else
  say "cargo build --release"
  cargo build --release >&2
  bin=$target_dir/release/imds-lint
fi
[[ -x $bin ]] || fail "no imds-lint binary at $bin"

# --fix is timed only when this build has it.
has_fix=0
if "$bin" --help 2>&1 | grep -qE -- '(^|[^[:alnum:]-])--fix([^[:alnum:]-]|$)'; then has_fix=1; fi

version=$("$bin" --version 2>/dev/null | head -n 1) || true
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || commit="$commit with uncommitted changes"
record type meta date "$(date -u +%Y-%m-%dT%H:%MZ)" commit "$commit" \
  cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)" cores "$(nproc)" \
  memory "$(free -g | awk '/^Mem:/ { print $2 " GiB" }')" \
  os "$(. /etc/os-release && echo "$PRETTY_NAME"), Linux $(uname -r)" \
  imds_lint "${version:-imds-lint (no version printed)}" ripgrep "$(rg --version | head -n 1)" \
  timer "$timer" runs "$runs" quick "$quick"

# --- workloads --------------------------------------------------------------------

# The same hash generate.py writes into .stats.json: both sources, in this order.
generator=$(cat bench/generate.py bench/catalogue.py | sha256sum | cut -c1-12)

# Prints the folder of a workload, generating it unless a complete one exists.
workload() {
  local profile=$1 files=$2
  local dir=$data/$profile-$files-$generator old
  if [[ -f $dir/.stats.json ]]; then
    say "reusing $dir"
  else
    for old in "$data/$profile-$files-"*; do
      if [[ -d $old && $old != "$dir" ]]; then
        say "removing $old (older generator)"
        rm -rf "$old"
      fi
    done
    say "generating the $profile workload ($files files)"
    python3 bench/generate.py "$dir.partial" --profile "$profile" --files "$files"
    mv "$dir.partial" "$dir"
  fi
  printf '%s\n' "$dir"
}

stat_of() {
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1/.stats.json" "$2"
}

# --- measuring --------------------------------------------------------------------

tree=""
copy=$work/fix-copy
# Each --fix run gets a fresh copy of the tree. The one before is moved
# aside, not removed, and the new one is written out before the run: on
# ext4 every file the run then creates (a fixed file's temporary) was
# found to cost more while the inodes of thousands of files deleted just
# before are recent, and writing back the copy competed with the run.
# Neither is the run's own cost, nor what a user who runs --fix once sees.
fix_prepare() {
  printf '%s' "if [ -e '$copy' ]; then mv '$copy' \"\$(mktemp -d '$work/old.XXXXXX')\"; fi"
  printf '%s' " && cp -a '$1' '$copy' && sync"
}

# memory_dir BYTES: a new folder on /dev/shm when it is a tmpfs with room
# for three copies of BYTES, for timing --fix with no disk under it.
memory_dir() {
  local free
  [[ -d /dev/shm && -w /dev/shm && $(stat -f -c %T /dev/shm 2>/dev/null) == tmpfs ]] || return 1
  free=$(($(stat -f -c '%a * %S' /dev/shm)))
  ((free > 3 * $1)) || return 1
  mktemp -d /dev/shm/imds-lint-bench.XXXXXX
}

# The command as the report shows it: short names instead of long paths.
shown() {
  local text="$*"
  text=${text//"$copy"/COPY}
  if [[ -n $memory ]]; then text=${text//"$memory/fix-copy"/SHM-COPY}; fi
  if [[ -n $tree ]]; then text=${text//"$tree"/TREE}; fi
  text=${text//"$bin"/imds-lint}
  printf '%s' "$text"
}

# measure PROFILE CASE TOOL FILES BYTES PREPARE COMMAND...
# Times COMMAND (median after a warm-up; PREPARE, a shell command, runs before
# each run), then runs it once more under GNU time for peak memory. Output goes
# through a pipe: ripgrep stops at its first match when it writes to /dev/null.
measure() {
  local profile=$1 case=$2 tool=$3 files=$4 bytes=$5 prepare=$6
  shift 6
  local n=$runs wall
  if [[ $case == single && $n -lt 20 ]]; then n=20; fi

  if [[ $timer == hyperfine* ]]; then
    local options=(-N -i --style none --output pipe --warmup 1 --runs "$n" --export-json "$work/timing.json")
    if [[ -n $prepare ]]; then options+=(--prepare "bash -c $(printf '%q' "$prepare")"); fi
    if ! hyperfine "${options[@]}" -- "$(printf '%q ' "$@")" >/dev/null 2>"$work/hyperfine.err"; then
      cat "$work/hyperfine.err" >&2
      fail "hyperfine failed on: $(shown "$@")"
    fi
    if grep -q outliers "$work/hyperfine.err"; then
      note "$profile $case $tool: hyperfine saw statistical outliers (a busy machine?)"
    fi
    wall=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' \
      "$work/timing.json")
  else
    local i start end times=()
    for ((i = 0; i <= n; i++)); do
      if [[ -n $prepare ]]; then bash -c "$prepare"; fi
      start=$(date +%s%N)
      { "$@" 2>/dev/null || true; } | cat >/dev/null
      end=$(date +%s%N)
      if ((i > 0)); then times+=($((end - start))); fi
    done
    wall=$(printf '%s\n' "${times[@]}" | sort -n |
      awk '{ t[NR] = $1 } END { m = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2; printf "%.6f", m / 1e9 }')
  fi

  if [[ -n $prepare ]]; then bash -c "$prepare"; fi
  { /usr/bin/time -v -o "$work/time.txt" "$@" 2>/dev/null || true; } | cat >/dev/null
  local rss status
  rss=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$work/time.txt")
  status=$(sed -n 's/^[[:space:]]*Exit status: //p' "$work/time.txt")

  record type run profile "$profile" case "$case" tool "$tool" command "$(shown "$@")" files "$files" \
    bytes "$bytes" wall "$wall" rss_kb "${rss:-0}" exit "${status:-unknown}"
  say "$(printf '%s %s %s: median %.4f s, peak %s kB, exit %s' "$profile" "$case" "$tool" "$wall" "${rss:-?}" \
    "${status:-?}")"
  if [[ $tool == imds-lint && ${status:-0} != 0 && ${status:-0} != 1 ]]; then
    note "$profile $case: imds-lint exited ${status} (2 = errors, 101 = panic): see \`$(shown "$@")\`"
  fi
}

# --- the benchmark ----------------------------------------------------------------

for profile in "${profiles[@]}"; do
  case $profile:$quick in
    sparse:0) files=20000 ;;
    dense:0) files=2000 ;;
    sparse:1) files=500 ;;
    dense:1) files=100 ;;
  esac
  tree=$(workload "$profile" "$files")
  bytes=$(stat_of "$tree" bytes)

  # rg must see every line the generator wrote the address on, or the race is unfair.
  seen=$(rg -c 169.254.169.254 "$tree" | awk -F: '{ s += $NF } END { print s + 0 }')
  wrote=$(stat_of "$tree" address_lines)
  if [[ $seen != "$wrote" ]]; then
    note "$profile: rg counted $seen lines with the address, the generator wrote $wrote"
  fi

  measure "$profile" scan rg "$files" "$bytes" "" rg -c 169.254.169.254 "$tree"
  measure "$profile" scan imds-lint "$files" "$bytes" "" "$bin" --quiet --output-format concise "$tree"

  if [[ $profile == dense ]]; then
    if ((has_fix)); then
      measure "$profile" fix imds-lint "$files" "$bytes" "$(fix_prepare "$tree")" \
        "$bin" --quiet --fix "$copy"
      # What the writes alone cost: the files --fix changed, replaced as it
      # replaces them (temporary, fsync, rename, folder fsync) by a loop
      # that does nothing else, with as many threads as --fix writes with.
      if floor=$(python3 bench/write_floor.py "$tree" "$copy" "$work/floor-copy" --runs "$runs" \
        --threads $((4 * $(nproc))) 2>"$work/floor.err"); then
        record type floor profile "$profile" $(python3 -c 'import json, sys
for k, v in json.loads(sys.argv[1]).items(): print(k, v)' "$floor")
        say "$profile write floor: $floor"
      else
        note "dense write floor not measured: $(head -c 300 "$work/floor.err" | tr '\n' ' ')"
      fi
      # The same --fix on a memory file system, when there is one with room:
      # no disk, no sync that waits, no inode search, so what is left over
      # the scan is --fix's own work (its re-check) and the system calls.
      if memory=$(memory_dir "$bytes"); then
        memory_copy=$memory/fix-copy
        measure "$profile" fix-memory imds-lint "$files" "$bytes" \
          "rm -rf '$memory_copy' && cp -a '$tree' '$memory_copy'" "$bin" --quiet --fix "$memory_copy"
        rm -rf "$memory"
        memory=""
      else
        note "dense --fix on a memory file system not timed: no writable tmpfs at /dev/shm with room"
      fi
      "$bin" --output-format json "$copy" >"$work/after-fix.json" 2>/dev/null || true
      "$bin" --output-format json "$tree" >"$work/before-fix.json" 2>/dev/null || true
      before=$(python3 bench/score.py --count "$work/before-fix.json" 2>&1) || true
      after=$(python3 bench/score.py --count "$work/after-fix.json" 2>&1) || true
      note "dense --fix: findings per code before $before, after $after"
      rm -rf "$copy" "$work"/old.*
    else
      note "dense --fix not timed: this imds-lint has no --fix flag"
    fi
  fi

  probe=$(stat_of "$tree" probe)
  if [[ $probe == None ]]; then
    note "$profile: no file holds an IMDSv1 request, so no one-file run"
  else
    single=$tree/$probe
    size=$(stat -c %s "$single")
    measure "$profile" single rg 1 "$size" "" rg -c 169.254.169.254 "$single"
    measure "$profile" single imds-lint 1 "$size" "" "$bin" --quiet --output-format concise "$single"
  fi

  report=$data/report-$profile.json
  "$bin" --output-format json "$tree" >"$report" 2>"$work/json.err" || true
  if counts=$(python3 bench/score.py "$tree" "$report" --details "$data/accuracy-$profile.md" 2>"$work/score.err"); then
    record type score profile "$profile" counts "$counts"
    say "$profile accuracy: $counts"
  else
    record type score profile "$profile" error "$(head -c 300 "$work/score.err" | tr '\n' ' ')"
  fi
done

cp "$results" "$data/results.jsonl"
python3 bench/table.py "$results" >"$data/results.md"
cat "$data/results.md"
say "written to $data/results.md (details: $data/accuracy-*.md)"
