#!/bin/sh
# deb/rpm post-install: put the polkit action in place (polkit reads actions only from its own
# directory) and make sure everything in the app dir is root-owned and not writable by anyone
# else — the launcher checks the whole tree and refuses to run otherwise.
set -e
app=/opt/snitchmap
install -o root -g root -m 0644 /opt/snitchmap/resources/polkit/org.snitchmap.helper.policy /usr/share/polkit-1/actions/org.snitchmap.helper.policy
# The CLI (resources/snitchmap/dist) imports its npm packages by name: electron-builder unpacks
# them from app.asar (asarUnpack), and this link is where Node's resolution looks for them.
ln -sfn ../app.asar.unpacked/node_modules "$app/resources/snitchmap/node_modules"
chown -R root:root "$app"
chmod -R go-w "$app"
chmod 0755 "$app/resources/helper/snitchmap-helper-launcher" "$app/resources/bin/snitchmap"
# Electron's setuid sandbox helper, as electron-builder's own template does.
if [ -f "$app/chrome-sandbox" ]; then chmod 4755 "$app/chrome-sandbox"; fi
# Every verb on the PATH: the desktop app without arguments, the CLI with any (resources/bin/snitchmap).
ln -sf "$app/resources/bin/snitchmap" /usr/bin/snitchmap
