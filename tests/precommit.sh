#!/usr/bin/env bash
# shellcheck disable=SC2016 # script text is written literally, never expanded
# The hooks in .pre-commit-hooks.yaml, run by the real pre-commit on a
# throw-away git repository: the checking hook refuses an IMDSv1 call and
# prints the finding, the fixing hook rewrites the file, and the commit then
# passes.
#
# Installs nothing: needs `pre-commit` (PyPI), `git` and `cargo` on PATH.
# pre-commit builds the hooks with `cargo install --bins --path .` (the
# machine's cargo, release profile); each `try-repo` builds afresh into a
# store of its own, so CARGO_TARGET_DIR is pointed at target/precommit to
# reuse compiled dependencies across builds and runs.
#
# What is tested is the work tree as it is on disk, uncommitted and new
# files included: `pre-commit try-repo` on a repository with uncommitted
# changes commits only the staged and the tracked, modified files into its
# shadow copy (`git add -u`), so new files would be left out. The script
# therefore commits a snapshot of the work tree (tracked and untracked files
# that .gitignore does not exclude) into a repository of its own and points
# pre-commit at that. Nothing in this repository's index or work tree is
# touched.
#
# The IMDSv1 script is written as fixed text and never run.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
passed=0

fail() {
    printf 'FAIL: %s\n' "$*" >&2
    printf 'precommit: %d passed, 1 failed\n' "$passed"
    exit 1
}

ok() {
    passed=$((passed + 1))
    printf 'ok: %s\n' "$*"
}

# Runs a command, keeps its output in $LOG, shows it, and checks its exit code.
expect_exit() {
    local want=$1 what=$2
    shift 2
    local started=$SECONDS got=0
    "$@" >"$LOG" 2>&1 || got=$?
    sed 's/^/    | /' "$LOG"
    printf '    (%s: exit %d, %ds)\n' "$what" "$got" $((SECONDS - started))
    [ "$got" -eq "$want" ] || fail "$what: exit code $got, expected $want"
}

expect_in_log() {
    grep -qF -- "$1" "$LOG" || fail "$2: output lacks \`$1\`"
}

for tool in pre-commit git cargo; do
    command -v "$tool" >/dev/null ||
        fail "\`$tool\` is not on PATH (pre-commit comes from PyPI: pip install pre-commit)"
done
git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
    fail "$ROOT is not a git work tree"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
LOG="$TMP/last.log"
HOOKS="$TMP/hooks-repo"
WORK="$TMP/work"

# Hermetic git and pre-commit: no global or system git configuration (a
# global core.hooksPath would make `pre-commit install` refuse), a store of
# our own.
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export PRE_COMMIT_HOME="$TMP/pre-commit-home"
export CARGO_TARGET_DIR="$ROOT/target/precommit"
started=$SECONDS

# --- the hooks repository: a snapshot of the work tree ----------------------
mkdir -p "$HOOKS"
(
    cd "$ROOT"
    git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' path; do
            # Deleted but still in the index: not part of the work tree.
            if [ -e "$path" ] || [ -L "$path" ]; then printf '%s\0' "$path"; fi
        done |
        tar --null --files-from=- -cf -
) | tar -xf - -C "$HOOKS"
[ -f "$HOOKS/.pre-commit-hooks.yaml" ] || fail ".pre-commit-hooks.yaml is missing"
git -C "$HOOKS" init -q
git -C "$HOOKS" add -A
git -C "$HOOKS" -c user.name=snapshot -c user.email=snapshot@localhost \
    commit -q --no-verify -m "work tree snapshot"
pre-commit validate-manifest "$HOOKS/.pre-commit-hooks.yaml" ||
    fail ".pre-commit-hooks.yaml is not a valid pre-commit manifest"
ok "hooks repository: snapshot of the work tree, manifest valid"

# --- the throw-away repository ----------------------------------------------
mkdir -p "$WORK"
cd "$WORK"
git init -q
git config user.name "imds-lint test"
git config user.email "imds-lint-test@localhost"
printf '%s\n' 'print("no metadata requests here")' >clean.py
git add clean.py
git commit -q -m "clean start"

# An init script with an IMDSv1 request: fixed text, never run.
printf '%s\n' \
    '#!/bin/sh' \
    'region=$(curl -s http://169.254.169.254/latest/meta-data/placement/region)' \
    'echo "$region"' >init.sh
git add init.sh
before=$(cat init.sh)

# --- the checking hook refuses the IMDSv1 call ------------------------------
expect_exit 1 "try-repo imds-lint" \
    pre-commit try-repo --color never "$HOOKS" imds-lint --files init.sh
expect_in_log "IMD001" "try-repo imds-lint"
expect_in_log "init.sh" "try-repo imds-lint"
ok "checking hook (try-repo): IMDSv1 call refused, finding printed"

# The same through a real commit, with the hook installed from a config.
printf '%s\n' \
    'repos:' \
    "  - repo: $HOOKS" \
    "    rev: $(git -C "$HOOKS" rev-parse HEAD)" \
    '    hooks:' \
    '      - id: imds-lint' >.pre-commit-config.yaml
git add .pre-commit-config.yaml
pre-commit install >/dev/null
expect_exit 1 "git commit with the checking hook" git commit -m "add init script"
expect_in_log "IMD001" "git commit with the checking hook"
[ "$(git rev-list --count HEAD)" -eq 1 ] || fail "the commit was not refused"
ok "checking hook (commit): commit refused, finding printed"

# --- the filter goes by name ------------------------------------------------
# A script without extension and without its executable bit (which
# pre-commit's type tags call plain text) reaches the hook ...
printf '%s\n' \
    '#!/bin/bash' \
    'ip=$(curl -s http://169.254.169.254/latest/meta-data/local-ipv4)' >mount-disk
chmod 644 mount-disk
expect_exit 1 "run imds-lint on mount-disk" \
    pre-commit run --color never imds-lint --files mount-disk
expect_in_log "mount-disk" "run imds-lint on mount-disk"
expect_in_log "IMD001" "run imds-lint on mount-disk"
# ... and a name imds-lint does not read does not.
printf '%s\n' 'import requests' \
    'requests.get("http://169.254.169.254/latest/meta-data/instance-id")' >gui.pyw
expect_exit 0 "run imds-lint on gui.pyw" \
    pre-commit run --color never imds-lint --files gui.pyw
expect_in_log "(no files to check)" "run imds-lint on gui.pyw"
rm mount-disk gui.pyw
ok "filter: a non-executable script without extension is passed, a .pyw is not"

# --- a staged file named like a command is a file ---------------------------
# pre-commit passes `config` first: it must not become `imds-lint config`,
# which checks nothing and passes.
printf '%s\n' 'verbose = true' >config
expect_exit 1 "run imds-lint on config and init.sh" \
    pre-commit run --color never imds-lint --files config init.sh
expect_in_log "IMD001" "run imds-lint on config and init.sh"
expect_in_log "init.sh" "run imds-lint on config and init.sh"
rm config
ok "a staged file named config is checked, not taken for the command"

# ... and one named like an option is not passed: `--exclude=*` would turn
# the check off.
printf '%s\n' 'not a script' >'--exclude=*'
git add -- '--exclude=*'
expect_exit 1 "run imds-lint on all files, --exclude=* among them" \
    pre-commit run --color never imds-lint --all-files
expect_in_log "IMD001" "run imds-lint on all files, --exclude=* among them"
git rm -q --cached -- '--exclude=*'
rm -- '--exclude=*'
ok "a staged file named like an option is not passed to the hook"

# --- many files: one process, one summary -----------------------------------
# pre-commit splits the files of a hook that may run in parallel into one
# batch per core, and each batch printed a summary of its own.
mkdir batch
for n in 01 02 03 04 05 06 07 08 09 10 11 12; do
    printf '%s\n' '#!/bin/sh' \
        "curl -s http://169.254.169.254/latest/meta-data/tags/instance/n$n" >"batch/s$n.sh"
done
expect_exit 1 "run imds-lint on twelve scripts" \
    pre-commit run --color never imds-lint --files batch/*.sh
[ "$(grep -c '^Found ' "$LOG")" -eq 1 ] ||
    fail "run imds-lint on twelve scripts: not one summary line"
expect_in_log "Found 12 findings in 12 files" "run imds-lint on twelve scripts"
rm -r batch
ok "many files: one process checks them all and prints one summary"

# --- the fixing hook rewrites the file --------------------------------------
built="$CARGO_TARGET_DIR/release/imds-lint"
"$built" --help | grep -q -- --fix ||
    fail "fixing hook not testable: --fix missing (\`imds-lint --help\` lists no --fix)"

expect_exit 1 "try-repo imds-lint-fix" \
    pre-commit try-repo --color never "$HOOKS" imds-lint-fix --files init.sh
expect_in_log "files were modified by this hook" "try-repo imds-lint-fix"
[ "$(cat init.sh)" != "$before" ] || fail "the fixing hook left init.sh unchanged"
grep -qF -- "-X PUT" init.sh || fail "fixed init.sh has no token PUT"
grep -qF "latest/api/token" init.sh || fail "fixed init.sh does not request a token"
grep -qF "X-aws-ec2-metadata-token:" init.sh || fail "fixed init.sh sends no token header"
sed 's/^/    > /' init.sh
ok "fixing hook (try-repo): init.sh rewritten with a token PUT and the token header"

git add init.sh
expect_exit 0 "git commit after the fix" git commit -m "add init script"
[ "$(git rev-list --count HEAD)" -eq 2 ] || fail "the fixed file was not committed"
ok "checking hook (commit): the fixed file is committed"

# --- the fixing hook in a commit: rewrite, re-stage, commit -----------------
printf '%s\n' \
    'repos:' \
    "  - repo: $HOOKS" \
    "    rev: $(git -C "$HOOKS" rev-parse HEAD)" \
    '    hooks:' \
    '      - id: imds-lint-fix' >.pre-commit-config.yaml
printf '%s\n' \
    '#!/bin/bash' \
    'id=$(curl -s http://169.254.169.254/latest/meta-data/instance-id)' >tags.sh
git add .pre-commit-config.yaml tags.sh
expect_exit 1 "git commit with the fixing hook" git commit -m "add tags script"
expect_in_log "files were modified by this hook" "git commit with the fixing hook"
grep -qF "X-aws-ec2-metadata-token:" tags.sh || fail "the fixing hook did not fix tags.sh"
git add tags.sh
expect_exit 0 "git commit of the fixed file" git commit -m "add tags script"
git show HEAD:tags.sh | grep -qF "X-aws-ec2-metadata-token:" ||
    fail "the committed tags.sh is not the fixed one"
ok "fixing hook (commit): file rewritten, re-staged, committed"

printf 'took %ds\n' $((SECONDS - started))
printf 'precommit: %d passed, 0 failed\n' "$passed"
