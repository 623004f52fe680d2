#!/usr/bin/env bash
# kevy set-up for a fresh Debian 12 machine. Idempotent; run as root or with sudo.
#   ./setup.sh run    install what is missing, build (release), run kevy-server on 127.0.0.1:6379
#   ./setup.sh test   install what is missing, build, run the whole test suite
#   ./setup.sh build  install and build only
set -euo pipefail
cd "$(dirname "$0")"

mode="${1:-run}"
shift || true

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Build and test dependencies, all Debian 12 packages. redis-server/redis-tools/python3-redis
# are the reference peers and real clients the integration tests and benchmarks drive.
PKGS=(g++ meson ninja-build pkg-config liburing-dev libabsl-dev catch2 libbenchmark-dev
      redis-server redis-tools python3-redis)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "== installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Debian starts a redis-server service on 6379 when the package is installed; kevy wants the port.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
  $SUDO systemctl stop redis-server || true
  $SUDO systemctl disable redis-server >/dev/null 2>&1 || true
fi
if pgrep -x redis-server >/dev/null 2>&1 && [ -f /run/redis/redis-server.pid ]; then
  $SUDO kill "$(cat /run/redis/redis-server.pid)" 2>/dev/null || true
fi

if [ ! -f build/build.ninja ]; then
  meson setup build --buildtype=release
fi
ninja -C build

case "$mode" in
  run)
    exec ./build/kevy-server --bind 127.0.0.1 --port 6379 "$@"
    ;;
  build)
    ;;
  test)
    set +e
    meson test -C build --print-errorlogs --num-processes 2 "$@"
    rc=$?
    set -e
    # One summary line over every test case of every suite (Catch2 and Python).
    /usr/bin/python3 tests/summarize.py build/meson-logs/testlog.json
    exit $rc
    ;;
  *)
    echo "usage: $0 run|test|build" >&2
    exit 2
    ;;
esac
