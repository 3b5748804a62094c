#!/bin/sh
# Installs the `tezsigner` command from this clone, for the user who runs it: Node 20.19+ and
# npm are all it needs (pnpm comes through npx), and no root unless PREFIX says so. It fetches
# the build's dependencies from the npm registry; a host without it installs the release
# tarball instead (RELEASE_DIR below, made on a connected machine; see "Offline hosts" in docs/production.md).
#   ./install.sh                             -> ~/.local/bin/tezsigner
#   PREFIX=/usr/local ./install.sh           -> /usr/local/bin/tezsigner (as root, for a service)
#   RELEASE_DIR=dist ./install.sh            -> also keeps the tarball: dist/tezsigner-<version>.tgz
# The command is one self-contained file (every dependency bundled in, native addons beside it,
# compiled already), installed by npm as a package of its own: the clone can be updated or deleted afterwards; run this again to upgrade.
# One line per step; the tools' own output (progress bars, update notices) is shown only when
# their step fails.
set -eu
cd "$(dirname "$0")"
PREFIX="${PREFIX:-$HOME/.local}"

node -e '
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    console.error(`tezsigner needs Node 20.19 or newer; this is ${process.version}`);
    process.exit(1);
  }'

LOG="$(mktemp "${TMPDIR:-/tmp}/tezsigner-install.XXXXXX")"
trap 'rm -f "$LOG"' EXIT
# step WHAT COMMAND...: runs COMMAND with its output kept aside, printed only if it fails
step() {
  what="$1"
  shift
  printf '%s... ' "$what"
  if "$@" >"$LOG" 2>&1; then
    echo done
  else
    echo failed
    cat "$LOG" >&2
    echo "install.sh: $what failed: the output above says why" >&2
    exit 1
  fi
}
case "$PREFIX" in
  "$HOME"/*) SHOWN="~${PREFIX#"$HOME"}" ;;
  *) SHOWN="$PREFIX" ;;
esac
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false npm_config_loglevel=error

pnpm() { npx --yes pnpm@10 "$@"; }
# PKCS#11 HSM support (--vault pkcs11) and native P-256 (bcrypto) are native addons compiled here;
# without a compiler the rest installs and works: --vault pkcs11 says what is missing, and P-256
# runs on noble (slower, same signatures). They are built against the headers that come with Node
# where they are, rather than headers downloaded for them.
node_prefix="$(dirname "$(dirname "$(command -v node)")")"
if [ -z "${npm_config_nodedir:-}" ] && [ -f "$node_prefix/include/node/node.h" ]; then
  export npm_config_nodedir="$node_prefix"
fi
if ! command -v g++ >/dev/null || ! command -v make >/dev/null || ! command -v python3 >/dev/null; then
  echo "note: no C++ toolchain (g++, make, python3): installing without PKCS#11 HSM support and with P-256 in JavaScript; for them (Debian): apt-get install g++ make python3, then run this again" >&2
fi
# A developer's full install (pnpm install, pnpm test) is kept as it is; otherwise only what the
# command needs is installed, without the test tools (the README's test command adds them later).
if grep -q '"devDependencies": true' node_modules/.modules.yaml 2>/dev/null; then
  step 'fetching the dependencies (pnpm, npm registry)' pnpm install --frozen-lockfile
else
  step 'fetching the dependencies (pnpm, npm registry)' pnpm install --frozen-lockfile --prod
fi
step 'bundling the command into one package' pnpm --filter @tezsigner/cli run pack-command
step "installing it into $SHOWN" npm install --global --prefix "$PREFIX" --no-audit --no-fund ./packages/cli/release/tezsigner.tgz
VERSION="$("$PREFIX/bin/tezsigner" --version)"
if [ -n "${RELEASE_DIR:-}" ]; then
  mkdir -p "$RELEASE_DIR"
  cp packages/cli/release/tezsigner.tgz "$RELEASE_DIR/tezsigner-$VERSION.tgz"
  echo "release tarball: $RELEASE_DIR/tezsigner-$VERSION.tgz (npm install --global --prefix DIR FILE installs it offline)"
fi
echo "installed tezsigner $VERSION to $SHOWN/bin"
case ":$PATH:" in
  *":$PREFIX/bin:"*) ;;
  *) echo "$SHOWN/bin is not on your PATH: call $PREFIX/bin/tezsigner, or add it to PATH" ;;
esac
