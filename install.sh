#!/bin/sh
# Installs the `tezsigner` command from this clone, for the user who runs it: Node 20.19+ and
# npm are all it needs (pnpm comes through npx), and no root unless PREFIX says so.
#   ./install.sh                      -> ~/.local/bin/tezsigner
#   PREFIX=/usr/local ./install.sh    -> /usr/local/bin/tezsigner (as root, for a service)
# The command is one self-contained file (every dependency bundled in, native addons beside it,
# compiled already), installed by npm as a package of its own: the clone can be updated or deleted afterwards; run this again to upgrade.
set -eu
cd "$(dirname "$0")"
PREFIX="${PREFIX:-$HOME/.local}"

node -e '
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    console.error(`tezsigner needs Node 20.19 or newer; this is ${process.version}`);
    process.exit(1);
  }'

pnpm() { npx --yes pnpm@10 "$@"; }
# PKCS#11 HSM support (--vault pkcs11) is a native addon compiled here; without a compiler the
# rest installs and works, and --vault pkcs11 says what is missing. It is built against the
# headers that come with Node where they are, rather than headers downloaded for it.
node_prefix="$(dirname "$(dirname "$(command -v node)")")"
if [ -z "${npm_config_nodedir:-}" ] && [ -f "$node_prefix/include/node/node.h" ]; then
  export npm_config_nodedir="$node_prefix"
fi
if ! command -v g++ >/dev/null || ! command -v make >/dev/null || ! command -v python3 >/dev/null; then
  echo "note: no C++ toolchain (g++, make, python3): installing without PKCS#11 HSM support; for it (Debian): apt-get install g++ make python3, then run this again" >&2
fi
# A developer's full install (pnpm install, pnpm test) is kept as it is; otherwise only what the
# command needs is installed, without the test tools.
if grep -q '"devDependencies": true' node_modules/.modules.yaml 2>/dev/null; then
  pnpm install --frozen-lockfile
else
  pnpm install --frozen-lockfile --prod
fi
pnpm --filter @tezsigner/cli run pack-command
npm install --global --prefix "$PREFIX" --no-audit --no-fund ./packages/cli/release/tezsigner.tgz
echo "installed $PREFIX/bin/tezsigner $("$PREFIX/bin/tezsigner" --version)"
case ":$PATH:" in
  *":$PREFIX/bin:"*) ;;
  *) echo "$PREFIX/bin is not on your PATH: call $PREFIX/bin/tezsigner, or add it to PATH" ;;
esac
