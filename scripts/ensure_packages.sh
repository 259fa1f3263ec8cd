#!/bin/sh
# Installs the Debian packages Backline's tests and `make run` use, when missing:
# chromium, postgresql, and gettext (xgettext, with which the catalogue's test reads the
# source's strings). Name
# some of them to check only those: `sh scripts/ensure_packages.sh gettext`.
set -eu
wanted="${*:-chromium postgresql gettext}"
missing=""
for package in $wanted; do
    case "$package" in
    chromium) command -v chromium >/dev/null 2>&1 || missing="$missing chromium" ;;
    postgresql) ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql" ;;
    gettext) command -v msgfmt >/dev/null 2>&1 || missing="$missing gettext" ;;
    *) echo "ensure_packages.sh: unknown package $package" >&2 && exit 2 ;;
    esac
done
[ -z "$missing" ] && exit 0
echo "Installing Debian packages:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
