# shellcheck shell=bash
# Shared helpers for scripts/*: locating the tree, installing what is missing, building.
set -euo pipefail

FT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export FT_ROOT
# Emscripten's optimizer needs Debian's node modules (acorn) on NODE_PATH.
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}

# npm (Node's own CA list) should trust what the system trusts, as apt and curl do.
if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
fi

ft_log() { printf '[fieldtext] %s\n' "$*" >&2; }

ft_sudo() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    ft_log "need root to run: $*"; return 1; fi
}

# ft_apt_install PKG...: installs the Debian packages that are not installed yet.
ft_apt_install() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  ft_log "installing Debian packages: ${missing[*]}"
  if [ ! -f /var/lib/apt/.ft-updated ] || [ -n "$(find /var/lib/apt/.ft-updated -mmin +720 2>/dev/null)" ]; then
    ft_sudo apt-get update -qq && ft_sudo touch /var/lib/apt/.ft-updated
  fi
  ft_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Everything the build and the tests need from Debian.
# (Node and npm are installed from Debian only when no node/npm is on the PATH: a machine may
# already carry another build of Node, whose npm must not be replaced.)
FT_BUILD_PACKAGES=(ca-certificates build-essential cmake pkg-config git dpkg-dev
  emscripten clang libclang-rt-14-dev
  libmicrohttpd-dev libcurl4-openssl-dev libsqlite3-dev libssl-dev sqlite3)
FT_TEST_PACKAGES=(chromium wrk procps)

ft_node_install() {
  command -v node >/dev/null || ft_apt_install nodejs
  command -v npm >/dev/null || ft_apt_install npm
}

ft_npm_install() {
  (cd "$FT_ROOT" && if [ ! -d node_modules ] || [ package.json -nt node_modules/.ft-stamp ] || [ package-lock.json -nt node_modules/.ft-stamp ]; then
    ft_log "installing npm packages"
    npm ci --no-audit --no-fund --loglevel=error >/dev/null && touch node_modules/.ft-stamp
  fi)
}
