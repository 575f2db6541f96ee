# Installs the Debian packages a build needs, only those missing; sourced by
# run.sh and test.sh. Usage: ensure_packages pkg...
ensure_packages() {
  local missing=()
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  echo "installing: ${missing[*]}" >&2
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# What tasksd and tasksctl are built from (DESIGN.md's stack table).
BUILD_PACKAGES=(
  build-essential cmake pkg-config
  libcaf-dev libpistache-dev librocksdb-dev libssh-dev libsimdjson-dev
  rapidjson-dev libssl-dev libboost-dev libargon2-dev libcli11-dev
  libspdlog-dev libfmt-dev
)

# What the tests and benchmarks add (the UI tests drive Debian's chromium
# with playwright-core from the npm registry; see ensure_ui_test_tools).
TEST_PACKAGES=(
  libbenchmark-dev wrk openssh-server openssh-client chromium
  zsh # ssh.output runs the remote kill command in dash, bash and zsh
)

# Node.js and npm (Debian's, unless a node is installed already) and the
# pinned playwright-core of tests/ui/package-lock.json.
ensure_ui_test_tools() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    ensure_packages nodejs npm
  fi
  npm ci --prefix tests/ui --no-audit --no-fund --loglevel=error >/dev/null
}
