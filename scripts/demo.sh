#!/usr/bin/env bash
# The tour of `make demo`: a demo tenant in a local file and the main job on it,
# controlling self-service purchases, as an admin and as a member would.
set -euo pipefail
BIN=${1:-bin/commercectl}
DB=${2:-.demo/tenant.db}
ADMIN=admin@contoso.com
# Bold headings only in a terminal, and not under NO_COLOR (the caller's:
# the tool itself runs without colour so the tour reads the same anywhere).
BOLD='' PLAIN=''
if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then BOLD=$'\033[1m' PLAIN=$'\033[0m'; fi
export COMMERCECTL_DB=$DB NO_COLOR=1
unset COMMERCECTL_AS COMMERCECTL_OUTPUT

# Each command is echoed as it can be pasted into a shell: the real path of
# the binary and every argument quoted where it needs it.
step() { printf '\n%s$ %s%s\n' "$BOLD" "$*" "$PLAIN"; }
quoted() { printf '%q ' "$@" | sed 's/ $//'; }
run() { step "$(quoted "$BIN" "$@")"; "$BIN" "$@"; }
# Refusals are part of the tour: show them with their exit code.
refused() { step "$(quoted "$BIN" "$@")"; set +e; "$BIN" "$@"; rc=$?; set -e; echo "(exit $rc)"; }

mkdir -p "$(dirname "$DB")"
run init --tenant Contoso --admin "$ADMIN" --demo --force --yes
export COMMERCECTL_AS=$ADMIN
run get-policy AllowSelfServicePurchase
run get-product-policies AllowSelfServicePurchase
run get-product-policy AllowSelfServicePurchase --product CFQ7TTC0L3PB -o json

# A member may buy Power BI Pro while it is Enabled...
run --as alex.wilber@contoso.com purchase --product CFQ7TTC0H9MP --quantity 2
# ...until the admin blocks it: then a license request is the way.
run update-policy AllowSelfServicePurchase --product CFQ7TTC0H9MP --value Disabled
refused --as alex.wilber@contoso.com purchase --product CFQ7TTC0H9MP --quantity 2
# Trials without a payment method only, where products offer them.
run update-policy AllowSelfServicePurchase --product CFQ7TTC0HD33 --value OnlyTrialsWithoutPaymentMethod
run --as adele.vance@contoso.com start-trial --product CFQ7TTC0HD33
run update-policy AllowSelfServicePurchase --offer-type SaaS --value Disabled
run update-policy AllowSelfServicePurchase --default Disabled

# Desired state for pipelines: export, drift, apply.
POLICY_FILE=$(dirname "$DB")/policies.yaml
step "$(quoted "$BIN" export-policies) > $(quoted "$POLICY_FILE")"
"$BIN" export-policies > "$POLICY_FILE"
head -8 "$POLICY_FILE"
run update-policy AllowSelfServicePurchase --product CFQ7TTC0LH2H --enabled=false
refused diff-policies -f "$POLICY_FILE"
run apply-policies -f "$POLICY_FILE" --dry-run
run apply-policies -f "$POLICY_FILE"
run diff-policies -f "$POLICY_FILE"

# Billing > Licenses: products once each with their totals, self-service
# purchases grouped by buyer, and the seats an admin hands out.
run list-licenses
run list-licenses --product CFQ7TTC0H9MP
run list-subscriptions --self-service
run assign-license --product CFQ7TTC0H9MP --users lee.gu@contoso.com
# A self-service subscription is its buyer's to manage: an admin takes it over.
refused assign-license --subscription SUB-00005 --users lee.gu@contoso.com
run buy-licenses --subscription SUB-00001 --total 12
run takeover-subscription SUB-00005 --move-to-product CFQ7TTC0H9MP --dry-run
run takeover-subscription SUB-00005 --move-to-product CFQ7TTC0H9MP
run export-users --self-service

# License requests: a member asks for a blocked product for colleagues too;
# the admin approves some of them and declines another request.
run --as diego.siciliani@contoso.com new-request --product CFQ7TTC0H6RP --for adele.vance@contoso.com
run list-requests
run add-subscription --product CFQ7TTC0H6RP --quantity 5
run approve-request 2 --exclude enrico.cattaneo@contoso.com --message "Enrico already has what he needs"
run deny-request 3 --message "Copilot pilots start next quarter" --yes
run list-notifications --since 1h

# License conflicts: Project Plan 3's subscription expired with two people on it.
run list-conflicts
run list-licenses
run add-subscription --product CFQ7TTC0HDB0 --quantity 1
run resolve-conflicts --product CFQ7TTC0HDB0 --buy --yes
run list-conflicts -o json

# Roles are enforced, and every change is in the audit log.
refused --as patti.fernandez@contoso.com update-policy --product CFQ7TTC0H9MP --value Enabled
run list-users --role GlobalReader
run get-audit-log --since 1h
echo
echo "The demo tenant is in $DB. Next, list its subscriptions yourself:"
echo "  $(quoted "$BIN" list-subscriptions --db "$DB" --as "$ADMIN")"
