#!/usr/bin/env bash
# Builds the e2e control plane (kube-apiserver + etcd) from the Go module proxy.
#
# Versions are pinned by the go.mod/go.sum files in ./apiserver and ./etcd.
# Binaries go to ${CI_POD_WEBHOOK_E2E_CACHE:-<repo>/.cache/e2e-bin}/<k8s-version>/ and are
# reused while the stamp file there matches the pins (a no-op run takes well under a second).
# Progress goes to stderr; the only line on stdout is the directory holding the binaries.
# Building needs Go >= 1.24 (a fresh cache is reused even without Go). GOPATH/GOCACHE keep
# their defaults, so rebuilds after a version bump are incremental.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
log() { echo "[e2e-toolchain] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# --- pinned versions (single source of truth: the go.mod files) -------------------------
k8s_version="$(awk '$1 == "require" && $2 == "k8s.io/kubernetes" { print $3 }' "$here/apiserver/go.mod")"
etcd_version="$(awk '$1 == "require" && $2 == "go.etcd.io/etcd/server/v3" { print $3 }' "$here/etcd/go.mod")"
[[ -n "$k8s_version" && -n "$etcd_version" ]] || die "could not read pinned versions from go.mod"

out="${CI_POD_WEBHOOK_E2E_CACHE:-$repo/.cache/e2e-bin}/$k8s_version"
mkdir -p "$out"
stamp_want="$(
  echo "kubernetes=$k8s_version etcd=$etcd_version recipe=1" # bump recipe when build flags change
  cat "$here"/apiserver/go.{mod,sum} "$here"/etcd/{go.mod,go.sum,main.go} | sha256sum
)"
is_fresh() {
  [[ -x "$out/kube-apiserver" && -x "$out/etcd" && -f "$out/stamp" ]] &&
    [[ "$(cat "$out/stamp")" == "$stamp_want" ]]
}

if is_fresh; then echo "$out"; exit 0; fi

# Concurrent test processes may all call this script: serialize on a lock in the cache dir.
exec 9>"$out/.lock"
flock 9
if is_fresh; then echo "$out"; exit 0; fi

# --- locate Go -------------------------------------------------------------------------
if ! command -v go >/dev/null 2>&1; then
  if [[ -x /usr/local/go/bin/go ]]; then
    PATH="/usr/local/go/bin:$PATH"
  else
    die "'go' not found on PATH or in /usr/local/go/bin. Install Go >= 1.24 (https://go.dev/dl/) to build kube-apiserver and etcd for the e2e tests."
  fi
fi
gover="$(go env GOVERSION)"                       # e.g. go1.26.8
minor="$(sed -E 's/^go1\.([0-9]+).*/\1/' <<<"$gover")"
if [[ "$minor" =~ ^[0-9]+$ && "$minor" -lt 24 ]]; then die "found $gover; install Go >= 1.24."; fi

start=$SECONDS
log "building kube-apiserver $k8s_version and etcd $etcd_version with $gover into $out"
log "(the first build downloads modules and compiles ~2k packages: expect 5-25 minutes on 2 cores)"
export CGO_ENABLED=0

# --- etcd ------------------------------------------------------------------------------
(cd "$here/etcd" && go build -mod=readonly -trimpath -ldflags "-s -w" -o "$out/etcd.tmp" .)
mv -f "$out/etcd.tmp" "$out/etcd"
log "etcd built after $((SECONDS - start))s"

# --- kube-apiserver --------------------------------------------------------------------
(cd "$here/apiserver" && go mod download k8s.io/kubernetes)
info="$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/$k8s_version.info"
git_commit="$(sed -nE 's/.*"Hash":"([0-9a-f]{40})".*/\1/p' "$info" 2>/dev/null || true)"
build_date="$(sed -nE 's/.*"Time":"([^"]+)".*/\1/p' "$info" 2>/dev/null || true)"
major="$(cut -d. -f1 <<<"${k8s_version#v}")"
minor_k8s="$(cut -d. -f2 <<<"$k8s_version")"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor_k8s"
  ldflags+=" -X $pkg.gitCommit=${git_commit:-unknown} -X $pkg.gitTreeState=clean"
  ldflags+=" -X $pkg.buildDate=${build_date:-1970-01-01T00:00:00Z}"
done
(cd "$here/apiserver" &&
  go build -mod=readonly -trimpath -ldflags "$ldflags" -o "$out/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver)
mv -f "$out/kube-apiserver.tmp" "$out/kube-apiserver"

echo "$stamp_want" >"$out/stamp"
log "done in $((SECONDS - start)) seconds"
echo "$out"
