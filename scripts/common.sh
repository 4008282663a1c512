# Shared by demo.sh and test.sh: set-up, then configure and build one preset.
set -euo pipefail

SIFT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SIFT_JOBS=${SIFT_JOBS:-2}
cd "$SIFT_ROOT"

bash scripts/install-deps.sh

# ccache makes the second variant and re-runs cheap.
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
# Hit across build directories and checkouts (CI builds a fresh clone elsewhere).
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$SIFT_ROOT}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}

step() { printf '\n==> %s\n' "$*"; }

# build_preset NAME [TARGET...]
build_preset() {
  local preset=$1
  shift
  cmake --preset "$preset" -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null || return 1
  if (($# > 0)); then
    cmake --build --preset "$preset" -j "$SIFT_JOBS" --target "$@"
  else
    cmake --build --preset "$preset" -j "$SIFT_JOBS"
  fi
}
