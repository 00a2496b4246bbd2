#!/usr/bin/env bash
# startup-ab.sh OLD NEW [N]: start-up of two commercectl binaries side by
# side, N alternating runs each (default 300) of get-policies on a fresh
# demo tenant, so that the machine's noise falls on both alike. Prints the
# mean time per run and NEW/OLD.
set -euo pipefail
old=$1 new=$2 n=${3:-300}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$old" init --demo --tenant Contoso --admin admin@contoso.com --db "$dir/t.db" >/dev/null
a=0 b=0
for ((i = 0; i < n; i++)); do
	s=$(date +%s%N); "$old" get-policies --db "$dir/t.db" --as admin@contoso.com >/dev/null; e=$(date +%s%N); a=$((a + e - s))
	s=$(date +%s%N); "$new" get-policies --db "$dir/t.db" --as admin@contoso.com >/dev/null; e=$(date +%s%N); b=$((b + e - s))
done
printf 'old %d µs/run, new %d µs/run, new/old %s\n' $((a / n / 1000)) $((b / n / 1000)) "$(awk -v a=$a -v b=$b 'BEGIN{printf "%.3f", b/a}')"
