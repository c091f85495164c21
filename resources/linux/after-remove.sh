#!/bin/sh
# deb/rpm post-remove: take back what after-install.sh put outside /opt/snitchmap.
set -e
rm -f /usr/share/polkit-1/actions/org.snitchmap.helper.policy
if [ -L /usr/bin/snitchmap ] && [ "$(readlink /usr/bin/snitchmap)" = /opt/snitchmap/snitchmap ]; then rm -f /usr/bin/snitchmap; fi
