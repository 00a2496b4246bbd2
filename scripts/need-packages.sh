#!/usr/bin/env bash
# need-packages.sh: installs the Debian packages the tests drive when they
# are missing and we are root: LibreOffice Calc (libreoffice-calc-nogui,
# about 280 MB, no X) for the spreadsheet test, zsh and bash-completion for
# the completion test. A test whose program is missing skips with one loud
# line, except with CI=true, where it fails.
set -uo pipefail

have() {
	case $1 in
	libreoffice-calc-nogui) soffice --version >/dev/null 2>&1 ;;
	zsh) command -v zsh >/dev/null ;;
	bash-completion) [[ -r /usr/share/bash-completion/bash_completion ]] ;;
	esac
}

missing=()
for p in libreoffice-calc-nogui zsh bash-completion; do
	have "$p" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
	echo "need-packages: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1; }
fi
for p in "${missing[@]}"; do
	have "$p" || echo "*** need-packages: no $p (apt-get install $p): its test will $([[ "${CI:-}" == true ]] && echo FAIL || echo be SKIPPED) ***" >&2
done
exit 0
