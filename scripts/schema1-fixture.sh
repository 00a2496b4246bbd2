#!/usr/bin/env bash
# Rebuilds testdata/upgrade/schema1.db, the tenant upgrade_test.go opens with
# the newest commercectl: a demo tenant, with a few changes on top, written by
# commercectl as of commit 448f7b3, the last one whose database has schema
# version 1 (0001_init.sql only). Run from the repository root; needs git.
#
#   ./scripts/schema1-fixture.sh
set -euo pipefail

COMMIT=448f7b3
OUT=testdata/upgrade/schema1.db
work=$(mktemp -d)
trap 'git worktree remove --force "$work/src" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

git worktree add --quiet --detach "$work/src" "$COMMIT"
(cd "$work/src" && CGO_ENABLED=0 go build -o "$work/commercectl" .)

export HOME=$work XDG_CONFIG_HOME=$work/.config COMMERCECTL_NOW=2026-11-21T09:00:00Z
cc() { "$work/commercectl" --db "$work/schema1.db" "$@" >/dev/null; }
cc init --tenant Contoso --admin admin@contoso.com --demo
cc --as admin@contoso.com add-user new.hire@contoso.com --display-name "New Hire" --department Sales
cc --as admin@contoso.com update-policy AllowSelfServicePurchase --product CFQ7TTC0H9MP --value Disabled
cc --as new.hire@contoso.com purchase --product CFQ7TTC0HD33 --quantity 3
cc --as admin@contoso.com set-role new.hire@contoso.com LicenseAdmin
mkdir -p "$(dirname "$OUT")"
cp "$work/schema1.db" "$OUT"
echo "wrote $OUT"
