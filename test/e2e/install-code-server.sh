#!/usr/bin/env bash
# Installs code-server (VS Code 1.100 in the browser) into DIR for the end-to-end test, with only
# the npm registry and Debian's archive reachable. Safe to run again: it does nothing when DIR
# already holds a working code-server.
#
#   usage: test/e2e/install-code-server.sh DIR     -> DIR/node_modules/.bin/code-server
#   env:   CODE_SERVER_VERSION (default 4.100.3)
#
# Why each step:
#  - code-server 4.100.x is the newest line that still runs on Node 20 (the project's engine);
#  - its native dependencies (kerberos among them) are compiled by node-gyp on install, which needs
#    Kerberos headers (libkrb5-dev) and a C++ toolchain;
#  - @vscode/ripgrep's postinstall downloads a ripgrep release from GitHub, which is unreachable
#    here. It looks in a download cache first, so we put Debian's ripgrep (13.0.0, the version it
#    asks for) into that cache under the file name it expects.
set -euo pipefail

dir=${1:?usage: install-code-server.sh DIR}
version=${CODE_SERVER_VERSION:-4.100.3}
bin="$dir/node_modules/.bin/code-server"

if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then
  echo "code-server already installed in $dir ($("$bin" --version | head -n 1))"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive

packages=()
dpkg -s libkrb5-dev >/dev/null 2>&1 || packages+=(libkrb5-dev)
command -v rg >/dev/null 2>&1 || packages+=(ripgrep)
command -v g++ >/dev/null 2>&1 || packages+=(g++)
command -v make >/dev/null 2>&1 || packages+=(make)
command -v python3 >/dev/null 2>&1 || packages+=(python3)
if [ ${#packages[@]} -gt 0 ]; then
  echo "== apt-get install ${packages[*]}"
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

# @vscode/ripgrep keeps downloads in $TMPDIR/vscode-ripgrep-cache-<its own version>; code-server
# 4.100's dependency tree resolves to one of the 1.15.x releases, so seed each of them.
rg_bin=$(command -v rg)
tmp=$(node -p 'require("os").tmpdir()')
asset_name=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
for ripgrep_version in 1.15.9 1.15.10 1.15.11 1.15.12 1.15.13 1.15.14; do
  cache="$tmp/vscode-ripgrep-cache-$ripgrep_version"
  [ -f "$cache/$asset_name" ] && continue
  stage=$(mktemp -d)
  cp "$rg_bin" "$stage/rg"
  mkdir -p "$cache"
  tar -C "$stage" -czf "$cache/$asset_name" rg
  rm -rf "$stage"
done

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
bin="$dir/node_modules/.bin/code-server"
# A package.json of its own, so npm installs here and not into an enclosing project.
[ -f "$dir/package.json" ] || echo '{ "name": "dynamo-guard-e2e-code-server", "private": true }' >"$dir/package.json"
echo "== npm install code-server@$version (compiles native modules: a few minutes)"
(
  cd "$dir"
  # npm_config_yes: code-server's install script runs `npx node-gyp`, which must not prompt.
  npm_config_yes=true npm_config_unsafe_perm=true \
    npm install --no-save --no-audit --no-fund --loglevel=error "code-server@$version"
)
echo "== code-server $("$bin" --version | grep -m 1 -E "^[0-9]+\.")"
