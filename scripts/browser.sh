#!/usr/bin/env bash
# Debian's chromium for the newsflow page test (tests/test_ui.py drives it with Playwright through
# executable_path; Playwright's own browser download is never used).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "chromium is missing: install Debian's package as root (apt-get install chromium)" >&2
  exit 1
fi
echo "installing Debian's chromium (for the browser test) ..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version
