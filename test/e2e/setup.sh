#!/usr/bin/env bash
# Installs what `npm run test:e2e` needs on a fresh Debian machine; safe to run again (each part is
# skipped when already there):
#  - code-server 4.100.x (VS Code 1.100 in the browser) in .e2e/code-server, through the
#    project's installer test/e2e/install-code-server.sh (npm registry + Debian only);
#  - Debian's chromium, which playwright-core drives (playwright's own browser download is not
#    used: nothing is downloaded at test time);
#  - fonts, so that the screenshots show text rather than boxes.
# playwright-core itself is an npm devDependency (`npm ci`).
#
#   usage: test/e2e/setup.sh          (as root, or with sudo available)
# To use a code-server installed elsewhere instead, skip this and set DG_E2E_CODE_SERVER to its
# binary (and DG_E2E_CHROMIUM to a chromium binary) when running `npm run test:e2e`.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(git -C "$here" rev-parse --show-toplevel 2>/dev/null || (cd "$here/../.." && pwd))
installer="$here/install-code-server.sh"
code_server_dir="$repo/.e2e/code-server"

if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive

missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
# fc-list comes with fontconfig; chromium needs at least one font for the workbench's text.
if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list 2>/dev/null | head -n 1)" ]; then
  missing+=(fontconfig fonts-dejavu-core)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "== apt-get install ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "== $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium: not found')"

echo "== code-server in ${code_server_dir#"$repo/"}"
bash "$installer" "$code_server_dir"

if [ ! -d "$repo/node_modules/playwright-core" ]; then
  echo "setup.sh: node_modules/playwright-core is missing: run npm ci first" >&2
  exit 1
fi
echo "== e2e prerequisites ready; run: npm run test:e2e"
