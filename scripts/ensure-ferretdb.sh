#!/usr/bin/env bash
# Ensures a working FerretDB v1.24.2 binary is available for the test suite.
#
# FerretDB v1.24.2's SQLite backend indexes `_id` on the expression `_ferretdb_sjson->"_id"` but
# looks documents up with `_ferretdb_sjson->'$._id'`; SQLite matches expression indexes by their
# text, so every find, update and delete by `_id` scanned the whole table (an update of one
# document in a 10,000-document collection: 23 ms instead of 0.3 ms). The build below carries a
# one-line fix (the lookup uses the indexed expression; both mean the same JSON path) and marks the
# binary with `package: crm-sqlite-id-index` in `--version`.
#
# Candidates, in order (each must run `--version` with exit code 0 and report v1.24; all but an
# explicit FERRETDB_BIN must also carry that mark):
#   1. $FERRETDB_BIN
#   2. <repo>/.tmp/bin/ferretdb   (built by a previous run of this script)
#   3. `ferretdb` on PATH
#   4. ~/go/bin/ferretdb
# If none works, FerretDB is built from the Go module proxy into <repo>/.tmp/bin/ferretdb.
# (`go install ...@v1.24.2` yields a binary that panics at start because the module
# lacks build/version/version.txt, so the source is copied out of the module cache,
# the version file is written, and the copy is built.)
#
# Progress goes to stderr; the absolute path of the usable binary is the only line on stdout.
set -euo pipefail

readonly FERRETDB_VERSION="v1.24.2"
readonly FERRETDB_MODULE="github.com/FerretDB/FerretDB"

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT
readonly TARGET="$REPO_ROOT/.tmp/bin/ferretdb"

export PATH="$PATH:/usr/local/go/bin"

log() { echo "[ensure-ferretdb] $*" >&2; }
die() {
  echo "[ensure-ferretdb] ERROR: $*" >&2
  exit 1
}

readonly PATCH_MARK="crm-sqlite-id-index"

# Returns 0 if "$1" is an executable FerretDB v1.24.x that starts (`--version` exits 0) and, unless
# "$2" is "any", was built with the `_id` index fix (its `--version` names PATCH_MARK).
works() {
  local bin="$1" want="${2:-patched}" out
  [[ -n "$bin" && -f "$bin" && -x "$bin" ]] || return 1
  if command -v timeout >/dev/null 2>&1; then
    out="$(timeout 20 "$bin" --version 2>/dev/null)" || return 1
  else
    out="$("$bin" --version 2>/dev/null)" || return 1
  fi
  [[ "$out" == *"v1.24"* ]] || return 1
  [[ "$want" == "any" || "$out" == *"$PATCH_MARK"* ]]
}

if [[ -n "${FERRETDB_BIN:-}" ]]; then
  if works "$FERRETDB_BIN" any; then
    works "$FERRETDB_BIN" ||
      log "warning: $FERRETDB_BIN lacks the \`_id\` index fix; lookups by _id will scan whole tables"
    log "using FERRETDB_BIN: $FERRETDB_BIN"
    echo "$FERRETDB_BIN"
    exit 0
  fi
  log "ignoring FERRETDB_BIN=$FERRETDB_BIN: \`--version\` failed or did not report v1.24"
fi

candidates=("$TARGET")
if on_path="$(command -v ferretdb 2>/dev/null)"; then candidates+=("$on_path"); fi
candidates+=("$HOME/go/bin/ferretdb")

declare -A seen=()
for bin in "${candidates[@]}"; do
  key="$(readlink -f -- "$bin" 2>/dev/null || echo "$bin")"
  [[ -n "${seen[$key]:-}" ]] && continue
  seen[$key]=1
  if works "$bin"; then
    log "using working FerretDB binary: $bin"
    echo "$bin"
    exit 0
  fi
  if [[ -e "$bin" ]]; then
    log "ignoring $bin: \`--version\` failed, did not report v1.24, or lacks the \`_id\` index fix"
  fi
done

command -v go >/dev/null 2>&1 || die "Go is required to build FerretDB $FERRETDB_VERSION but \`go\` was not found \
(looked on PATH and in /usr/local/go/bin). Install Go (https://go.dev/dl/), or point FERRETDB_BIN at a \
working FerretDB $FERRETDB_VERSION binary, or set MONGODB_URI to an existing MongoDB-compatible server."

log "building FerretDB $FERRETDB_VERSION from the Go module proxy (about a minute on a cold cache)…"
log "using $(go version)"

work="$(mktemp -d "${TMPDIR:-/tmp}/ferretdb-build.XXXXXX")"
cleanup() { chmod -R u+w "$work" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

log "downloading module $FERRETDB_MODULE@$FERRETDB_VERSION…"
# Run outside any Go module so `go mod download` works in module-less mode.
json="$(cd "$work" && GO111MODULE=on go mod download -json "$FERRETDB_MODULE@$FERRETDB_VERSION")" ||
  die "\`go mod download $FERRETDB_MODULE@$FERRETDB_VERSION\` failed (no network / GOPROXY?). Output: $json"
src_dir="$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' | head -n 1)"
[[ -n "$src_dir" && -d "$src_dir" ]] || die "could not find the module directory in \`go mod download -json\` output: $json"

log "copying sources from $src_dir and writing build/version/version.txt…"
cp -r "$src_dir" "$work/ferretsrc"
chmod -R u+w "$work/ferretsrc"
echo "$FERRETDB_VERSION" >"$work/ferretsrc/build/version/version.txt"
echo "$PATCH_MARK" >"$work/ferretsrc/build/version/package.txt"

log "applying the \`_id\` index fix to internal/backends/sqlite/metadata/metadata.go…"
meta="$work/ferretsrc/internal/backends/sqlite/metadata/metadata.go"
grep -qF "IDColumn = DefaultColumn + \"->'\$._id'\"" "$meta" ||
  die "the line to fix was not found in $meta (has FERRETDB_VERSION changed?)"
sed -i "s|IDColumn = DefaultColumn + \"->'\\\$._id'\"|IDColumn = DefaultColumn + \"->'_id'\"|" "$meta"
grep -qF "IDColumn = DefaultColumn + \"->'_id'\"" "$meta" || die "the \`_id\` index fix did not apply to $meta"

log "compiling ./cmd/ferretdb…"
mkdir -p "$(dirname "$TARGET")"
partial="$TARGET.partial.$$"
start=$SECONDS
(cd "$work/ferretsrc" && go build -o "$partial" ./cmd/ferretdb) || {
  rm -f "$partial"
  die "go build of FerretDB $FERRETDB_VERSION failed (see the output above)"
}
works "$partial" || {
  rm -f "$partial"
  die "the freshly built FerretDB binary does not start (\`--version\` failed)"
}
mv -f "$partial" "$TARGET"
log "built $TARGET in $((SECONDS - start)) s"
echo "$TARGET"
