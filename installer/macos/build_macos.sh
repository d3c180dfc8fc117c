#!/usr/bin/env bash
# Build "Linkus Companion.app", smoke-test it offscreen, and wrap it in a .pkg (for Jamf/Intune/MDM)
# and a .dmg (for people). Signing and notarisation run when their variables are set:
#   CODESIGN_IDENTITY   "Developer ID Application: ..." (signs the app with the hardened runtime)
#   INSTALLER_IDENTITY  "Developer ID Installer: ..."   (signs the pkg)
#   NOTARY_PROFILE      a `xcrun notarytool store-credentials` profile (notarises and staples)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PYTHON="${PYTHON:-python3}"
cd "$ROOT"
VERSION="$("$PYTHON" -c 'import linkus_companion; print(linkus_companion.__version__)')"
BUNDLE_ID="$("$PYTHON" -c 'from linkus_companion.platform.launcher import BUNDLE_ID; print(BUNDLE_ID)')"
APP="dist/Linkus Companion.app"
EXE="$APP/Contents/MacOS/linkus-companion"

"$PYTHON" installer/make_icons.py build/icons >/dev/null
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller installer/linkus-companion.spec

if [ -n "${CODESIGN_IDENTITY:-}" ]; then
    codesign --force --deep --timestamp --options runtime \
        --entitlements installer/macos/entitlements.plist --sign "$CODESIGN_IDENTITY" "$APP"
    codesign --verify --strict --deep --verbose=2 "$APP"
fi

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
QT_QPA_PLATFORM=offscreen PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring \
    LINKUS_COMPANION_HOME="$scratch/home" "$EXE" run --smoke-test
"$EXE" admin templates --out dist/policy >/dev/null

PKG="dist/LinkusCompanion-$VERSION.pkg"
pkgbuild --component "$APP" --install-location /Applications --identifier "$BUNDLE_ID" \
    --version "$VERSION" ${INSTALLER_IDENTITY:+--sign "$INSTALLER_IDENTITY"} "$PKG"

DMG="dist/LinkusCompanion-$VERSION.dmg"
mkdir "$scratch/dmg"
cp -R "$APP" "$scratch/dmg/"
ln -s /Applications "$scratch/dmg/Applications"
hdiutil create -volname "Linkus Companion" -srcfolder "$scratch/dmg" -ov -format UDZO "$DMG"

if [ -n "${NOTARY_PROFILE:-}" ]; then
    for artefact in "$PKG" "$DMG"; do
        xcrun notarytool submit "$artefact" --keychain-profile "$NOTARY_PROFILE" --wait
        xcrun stapler staple "$artefact"
    done
fi
echo "built $PKG and $DMG ($(du -sh "$APP" | cut -f1) app)"
