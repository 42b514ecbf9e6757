#!/usr/bin/env bash
# Installs the Debian packages the kiosk and its tests need. As root it runs apt; otherwise it
# prints the exact apt command and fails, so nothing half-works silently.
set -euo pipefail
# Noto Sans CJK first: WenQuanYi draws rare name characters (𠮷, 䶮) as empty boxes, and those
# are what the printer's raster path and tests/packaging/test_fonts.py draw.
PACKAGES=(libpulse0 fonts-noto-cjk fonts-wqy-microhei libxkbcommon0 libegl1 libgl1 libfontconfig1
  libdbus-1-3 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0
  pcscd libpcsclite-dev vsmartcard-vpcd swig
  libtss2-dev pkg-config  # tpm2-pytss builds against the tss2 C libraries (no wheel on PyPI)
  swtpm swtpm-tools  # a software TPM 2.0 for the sealed device key's tests (tests/support/swtpm.py)
  cups
  espeak-ng  # care mode's Mandarin and English speech (drivers/speech, voice cmn-latn-pinyin)
  postgresql  # the hall tests start a throwaway cluster of it (tests/conftest.py)
  nginx-light  # the TLS reverse proxy in front of several halls (tests/support/hall_cluster.py)
  reprepro gpg  # the hall's signed apt repository stations update from (hall/apt_repo.py)
  chromium  # the hall console tests drive it through Playwright (tests/e2e)
  cage lintian shellcheck)  # tests/packaging: units verified with cage present; .deb checks
missing=()
# Debian's own Python needs python3.11-venv for `python3.11 -m venv` (ensurepip is split out).
if ! command -v python3.11 >/dev/null 2>&1; then
  PACKAGES+=(python3.11 python3.11-venv)
elif ! python3.11 -c "import ensurepip, venv" >/dev/null 2>&1; then
  PACKAGES+=(python3.11-venv)
fi
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]}" >&2
  echo "Run as root:  sudo sh -c '$cmd'" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
