# Sourced by scripts/demo and scripts/test: installs what a fresh machine lacks.
# Debian packages need root (or sudo); node packages come from the npm registry via pnpm.

offside_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

ensure_debian() {
  # ensure_debian CMD:PACKAGE ... — install PACKAGE when CMD is not on PATH
  local missing=()
  local pair cmd pkg
  for pair in "$@"; do
    cmd="${pair%%:*}"; pkg="${pair##*:}"
    command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "offside: installing Debian packages: ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_node_deps() {
  if ! command -v pnpm >/dev/null 2>&1; then
    echo "offside: installing pnpm" >&2
    npm install -g --silent pnpm@10.34.8 >/dev/null 2>&1 || corepack enable pnpm
  fi
  (cd "$offside_root" && pnpm install --frozen-lockfile --reporter=silent)
}
