#!/usr/bin/env bash
# Builds the real components the test bed runs (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kwok, the OpenTelemetry Collector, kube-state-metrics) from the Go module proxy, pinned by testbed/versions.env and the wrapper
# modules under testbed/go/. Binaries go to a cache outside the work tree, keyed by tool, version
# and the wrapper's go.sum, shared by every clone on the machine:
#   ${SENTINEL_TESTBED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sentinel-agent-testbed}/<tool>-<version>-<sum>/
# A warm run finds them and returns in well under a second; a cold build prints its time and peak
# memory. Prints the bin directory of each tool on the last lines ("bin <tool> <dir>").
# Usage: testbed/build.sh [--print-dirs] [tool...]   (tools: etcd kubernetes kwok otelcol kube-state-metrics;
# default all)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.env
. "$here/versions.env"
export PATH="$PATH:/usr/local/go/bin"
cache="${SENTINEL_TESTBED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sentinel-agent-testbed}"
mkdir -p "$cache"
command -v go >/dev/null || { echo "testbed/build.sh: go is not on PATH (the test bed is built with Go 1.26 from the module proxy)" >&2; exit 1; }

tools=("$@")
[ ${#tools[@]} -gt 0 ] || tools=(etcd kubernetes kwok otelcol kube-state-metrics)

dir_of() { # tool version -> cache dir
  local sum
  sum="$(cat "$here/go/$1/go.mod" "$here/go/$1/go.sum" | sha256sum | cut -c1-12)"
  echo "$cache/$1-$2-$sum"
}

build() { # tool version ldflags renames packages...   (renames: "from=to ..." for output names)
  local tool="$1" version="$2" ldflags="$3" renames="$4"; shift 4
  local dir; dir="$(dir_of "$tool" "$version")"
  if [ -f "$dir/.complete" ]; then echo "bin $tool $dir"; return; fi
  # One builder at a time per tool across clones: a second clone waits for the first one's result.
  exec 9>"$dir.lock"
  flock 9
  if [ -f "$dir/.complete" ]; then flock -u 9; echo "bin $tool $dir"; return; fi
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  echo "building $tool $version (cold) into $dir ..." >&2
  local start=$SECONDS timefile="$dir.tmp/.time"
  local timer=()
  [ -x /usr/bin/time ] && timer=(/usr/bin/time -f '%M' -o "$timefile")
  (cd "$here/go/$tool" && CGO_ENABLED=0 "${timer[@]}" go build -mod=readonly -trimpath \
      -ldflags "-s -w $ldflags" -o "$dir.tmp/" "$@")
  local peak="unknown (no /usr/bin/time)"
  [ -f "$timefile" ] && peak="$(( $(tail -1 "$timefile") / 1024 )) MiB"
  echo "built $tool $version in $(( SECONDS - start )) s, peak memory $peak" >&2
  local r
  for r in $renames; do mv "$dir.tmp/${r%%=*}" "$dir.tmp/${r#*=}"; done
  echo "$version" >"$dir.tmp/.version"
  touch "$dir.tmp/.complete"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
  flock -u 9
  echo "bin $tool $dir"
}

for tool in "${tools[@]}"; do
  case "$tool" in
    # etcd's main package is its module's directory, so go build names the binary "server"
    etcd) build etcd "$ETCD_VERSION" "" "server=etcd" go.etcd.io/etcd/server/v3 ;;
    kubernetes)
      kv="k8s.io/component-base/version"
      build kubernetes "$KUBERNETES_VERSION" \
        "-X $kv.gitVersion=$KUBERNETES_VERSION -X $kv.gitMajor=1 -X $kv.gitMinor=$(echo "$KUBERNETES_VERSION" | cut -d. -f2) -X $kv.gitTreeState=clean -X $kv.buildDate=1970-01-01T00:00:00Z" "" \
        k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler ;;
    kwok) build kwok "$KWOK_VERSION" "-X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" "" sigs.k8s.io/kwok/cmd/kwok ;;
    # The Collector's main package is the wrapper itself (testbed/go/otelcol/main.go)
    otelcol) build otelcol "$OTELCOL_VERSION" "-X main.version=$OTELCOL_VERSION" "" . ;;
    kube-state-metrics)
      build kube-state-metrics "$KSM_VERSION" \
        "-X github.com/prometheus/common/version.Version=${KSM_VERSION#v} -X github.com/prometheus/common/version.Revision=module-proxy" "" \
        k8s.io/kube-state-metrics/v2 ;;
    *) echo "testbed/build.sh: unknown tool '$tool' (etcd, kubernetes, kwok, otelcol, kube-state-metrics)" >&2; exit 2 ;;
  esac
done
