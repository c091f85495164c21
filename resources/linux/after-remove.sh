#!/bin/sh
# deb/rpm post-remove: take back what after-install.sh put outside the package's file list, on
# removal only: on an upgrade the new package's files are already in place (rpm even runs the new
# %post before the old %postun), and they need these links.
set -e
case "${1:-remove}" in
  remove | purge | 0) ;;
  *) exit 0 ;;
esac
rm -f /usr/share/polkit-1/actions/org.snitchmap.helper.policy
case "$(readlink /usr/bin/snitchmap || true)" in
  /opt/snitchmap/resources/bin/snitchmap | /opt/snitchmap/snitchmap) rm -f /usr/bin/snitchmap ;;
esac
if [ -L /opt/snitchmap/resources/snitchmap/node_modules ]; then rm -f /opt/snitchmap/resources/snitchmap/node_modules; fi
