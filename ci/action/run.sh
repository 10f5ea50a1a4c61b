#!/usr/bin/env bash
# The logic of the snipcheck GitHub Action (ci/action/action.yml), kept in a script so that it
# can be run, and tested, outside GitHub. Each step of the action calls one subcommand; `verify`
# works in the repository's root ($GITHUB_WORKSPACE, else the current directory):
#
#   run.sh key       which snipcheck to use: writes `version`, `key` (for actions/cache),
#                    `root` (where it is installed) and `go-version` to $GITHUB_OUTPUT
#   run.sh install   builds it into `root` with cargo install, unless a cached build is there
#   run.sh verify    verifies the documents (ci/check: --locked --write-pending, annotations at
#                    the Markdown lines, a job summary, a JUnit report), then stages the pending
#                    results for upload and writes the outputs below; exits with snipcheck's
#                    status (0 all claims hold, 1 some fail, 2 snipcheck could not run)
#
# Inputs, as the action passes them (all optional):
#   INPUT_DOCUMENTS   Markdown files or folders, separated by white space [default: `documents`
#                     in snipcheck.toml]
#   INPUT_PARTITION   hash:K/N or slice:K/N
#   INPUT_VERSION     a tag or commit of snipcheck's repository to build with cargo install --git
#                     [default: the action's own checkout, the ref in `uses: ...@REF`]
#   SNIPCHECK_BIN     a snipcheck binary to use instead of the installed one (tests, local runs)
#   SNIPCHECK_GIT_URL the repository INPUT_VERSION is taken from [default: the action's own,
#                     $GITHUB_SERVER_URL/$SNIPCHECK_ACTION_REPOSITORY]
#
# Outputs of `verify` (in $GITHUB_OUTPUT): exit-code, passed, failed, junit (the report's path),
# pending-count, pending-dir, pending-artifact, junit-artifact.
#
# Why pending results are staged: actions/upload-artifact stores paths relative to the least
# common ancestor of the files it uploads, so uploading `expected/**/*.toml.new` drops the
# `expected/...` prefix and a download lands where `snipcheck review` does not look. Copied under
# pending-dir with their paths relative to the repository's root (expected/docs/guide/x.toml.new),
# and uploaded as that folder, they keep those paths: downloaded into the repository's root, each
# lands beside its record.
set -euo pipefail
action_dir="$(cd "$(dirname "$0")" && pwd)"
snipcheck_dir="$(cd "$action_dir/../.." && pwd)"

# Without GitHub (a local run, a test), outputs go nowhere and temporary files to $TMPDIR.
output_file="${GITHUB_OUTPUT:-/dev/null}"
runner_temp="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"

output() {
  # One `name=value` line each; values here never hold a newline.
  printf '%s=%s\n' "$1" "$2" >>"$output_file"
}

# Artifact names must be unique in a workflow run and may not hold `/`, `:` and a few others:
# one job of a matrix is told apart by its job, Go version (and release) and partition.
artifact_suffix() {
  local go_version partition="${INPUT_PARTITION:-all}"
  go_version="$(go env GOVERSION 2>/dev/null || echo go)"
  # A job of the release matrix (SNIPCHECK_GO=1.21) is told apart by its release too.
  printf '%s-%s%s-%s' "${GITHUB_JOB:-snipcheck}" "$go_version" "${SNIPCHECK_GO:+-$SNIPCHECK_GO}" "$partition" |
    tr -c 'A-Za-z0-9._-' '-'
}

# The version of the action's own checkout: Cargo.toml's version and a hash of what the build
# reads, so a moving ref (@v1, @main) that changes the source misses the cache.
own_version() {
  local version hash
  version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$snipcheck_dir/Cargo.toml" | head -n 1)"
  hash="$(cd "$snipcheck_dir" && find Cargo.toml Cargo.lock src -type f -print0 | LC_ALL=C sort -z |
    xargs -0 sha256sum | sha256sum | cut -c 1-16)"
  printf '%s-%s' "$version" "$hash"
}

cmd_key() {
  local version
  if [ -n "${INPUT_VERSION:-}" ]; then
    version="$(printf '%s' "$INPUT_VERSION" | tr -c 'A-Za-z0-9._-' '-')"
  else
    version="$(own_version)"
  fi
  local root="${RUNNER_TOOL_CACHE:-$runner_temp}/snipcheck/$version"
  output version "$version"
  output key "snipcheck-${RUNNER_OS:-$(uname -s)}-$(uname -m)-$version"
  output root "$root"
  output go-version "$(go env GOVERSION 2>/dev/null || echo none)"
  echo "snipcheck $version, installed in $root"
}

cmd_install() {
  local root="${SNIPCHECK_ROOT:?run.sh install needs SNIPCHECK_ROOT (the root output of the key step)}"
  if [ -x "$root/bin/snipcheck" ]; then
    echo "snipcheck is installed already (from the cache): $root/bin/snipcheck"
    return 0
  fi
  if ! command -v cargo >/dev/null 2>&1; then
    echo "::error title=snipcheck::cargo is needed to build snipcheck: add dtolnay/rust-toolchain@stable before this action" >&2
    exit 2
  fi
  local source=(--path "$snipcheck_dir")
  if [ -n "${INPUT_VERSION:-}" ]; then
    local url="${SNIPCHECK_GIT_URL:-}"
    if [ -z "$url" ] && [ -n "${SNIPCHECK_ACTION_REPOSITORY:-}" ]; then
      url="${GITHUB_SERVER_URL:-https://github.com}/$SNIPCHECK_ACTION_REPOSITORY"
    fi
    if [ -z "$url" ]; then
      echo "::error title=snipcheck::version '$INPUT_VERSION' asks for another snipcheck, but its repository is not known: set SNIPCHECK_GIT_URL" >&2
      exit 2
    fi
    # A full commit hash is a revision; anything else is taken as a tag.
    if [[ "$INPUT_VERSION" =~ ^[0-9a-f]{40}$ ]]; then
      source=(--git "$url" --rev "$INPUT_VERSION")
    else
      source=(--git "$url" --tag "$INPUT_VERSION")
    fi
  fi
  cargo install --locked --root "$root" "${source[@]}" snipcheck || exit 2
}

# Copies each pending result of this run under $1, at its path relative to the working
# directory (the repository's root). `snipcheck pending` names them, so a records' folder
# configured elsewhere (snipcheck.toml, SNIPCHECK_EXPECTED) is found too.
stage_pending() {
  local bin="$1" stage="$2" line path count=0
  local pending_re='"pending":"([^"\\]*)"'
  mkdir -p "$stage"
  local listing
  listing="$("$bin" pending --format json)" || {
    echo "::warning title=snipcheck::could not list the pending results; none are uploaded" >&2
    echo 0
    return 0
  }
  while IFS= read -r line; do
    # `"pending":"PATH"` (null for an orphaned record, which has no pending file). A path that
    # JSON had to escape (a quote or a backslash in it) is not matched, and is left out.
    [[ "$line" =~ $pending_re ]] || continue
    path="${BASH_REMATCH[1]}"
    case "$path" in
      "$PWD"/*) path="${path#"$PWD"/}" ;;
      /* | ../* | */../*)
        echo "::warning title=snipcheck::$path is outside the repository; it is not uploaded" >&2
        continue
        ;;
    esac
    path="${path#./}"
    [ -f "$path" ] || continue
    mkdir -p "$stage/$(dirname "$path")"
    cp "$path" "$stage/$path"
    count=$((count + 1))
  done <<<"$listing"
  echo "$count"
}

cmd_verify() {
  local bin="${SNIPCHECK_BIN:-${SNIPCHECK_ROOT:+$SNIPCHECK_ROOT/bin/snipcheck}}"
  if [ -z "$bin" ] || [ ! -x "$bin" ]; then
    echo "::error title=snipcheck::no snipcheck binary: run \`run.sh install\` first, or set SNIPCHECK_BIN" >&2
    exit 2
  fi
  # The repository's root: where GitHub checked it out (paths in the report, the annotations and
  # the artifact are relative to it), whatever directory the step started in.
  cd "${GITHUB_WORKSPACE:-$PWD}"
  local suffix work
  suffix="$(artifact_suffix)"
  work="$runner_temp/snipcheck-$suffix"
  rm -rf "$work"
  mkdir -p "$work"
  local junit="$work/junit.xml" log="$work/report.txt" stage="$work/pending"

  local documents=()
  # Split on white space only, never expanding a glob.
  set -f
  # shellcheck disable=SC2206
  documents=(${INPUT_DOCUMENTS:-})
  set +f

  local code
  # ci/check holds the one verify command line CI runs: --locked --write-pending, and under
  # GitHub Actions --format github (annotations and the job summary). The report is kept to read
  # the counts from.
  # An empty partition input means all snippets; snipcheck takes an empty SNIPCHECK_PARTITION
  # for a malformed one, so it is unset rather than set to nothing.
  local partition=(-u SNIPCHECK_PARTITION)
  if [ -n "${INPUT_PARTITION:-}" ]; then
    partition=("SNIPCHECK_PARTITION=$INPUT_PARTITION")
  fi
  set +e
  env "${partition[@]}" SNIPCHECK_BIN="$bin" SNIPCHECK_JUNIT="$junit" \
    "$snipcheck_dir/ci/check" "${documents[@]}" | tee "$log"
  code="${PIPESTATUS[0]}"
  set -e

  local passed=0 failed=0 counts
  counts="$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*$/\1 \2/p' "$log" | tail -n 1)"
  if [ -n "$counts" ]; then
    read -r passed failed <<<"$counts"
  fi

  local pending=0
  if [ "$code" != 2 ]; then
    pending="$(stage_pending "$bin" "$stage")"
  fi

  output exit-code "$code"
  output passed "$passed"
  output failed "$failed"
  # No report when snipcheck stopped before running anything (exit 2).
  if [ -s "$junit" ]; then
    output junit "$junit"
  else
    output junit ""
  fi
  output junit-artifact "snipcheck-junit-$suffix"
  output pending-count "$pending"
  output pending-dir "$stage"
  output pending-artifact "snipcheck-pending-$suffix"

  if [ "$pending" -gt 0 ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    write_review_steps "snipcheck-pending-$suffix" "$pending" "$stage" >>"$GITHUB_STEP_SUMMARY"
  fi
  return "$code"
}

# The job summary's part on pending results: what they are and the exact commands that take them.
write_review_steps() {
  local artifact="$1" count="$2" stage="$3" branch="${GITHUB_HEAD_REF:-${GITHUB_REF_NAME:-}}"
  local repo_arg="" records
  [ -n "${GITHUB_REPOSITORY:-}" ] && repo_arg=" --repo $GITHUB_REPOSITORY"
  records="$(cd "$stage" && find . -type f | sed 's|^\./||; s|/.*||' | sort -u | tr '\n' ' ')"
  cat <<EOF

#### Pending results

$count pending result(s) of this job are in the artifact \`$artifact\`, at their paths in the repository (${records% }/...). To review them, in a clone of the repository${branch:+ on \`$branch\`}, from its root:

\`\`\`sh
gh run download ${GITHUB_RUN_ID:-RUN_ID}$repo_arg --name $artifact --dir .
snipcheck review
git add ${records% } && git commit -m "snipcheck: record the reviewed results"
\`\`\`

Commit the documents too if \`snipcheck review\` rewrote claims. (Or download the artifact's zip from the run's page and \`unzip\` it in the repository's root.)
EOF
}

case "${1:-}" in
  key) cmd_key ;;
  install) cmd_install ;;
  verify) cmd_verify ;;
  *)
    echo "usage: run.sh key|install|verify" >&2
    exit 2
    ;;
esac
