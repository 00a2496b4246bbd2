#!/usr/bin/env bash
# need-libreoffice.sh: makes sure LibreOffice Calc is here for the
# spreadsheet test (testdata/script/csv_spreadsheet.txtar), installing
# Debian's libreoffice-calc-nogui (no X, about 280 MB) when it is missing
# and we are root. Without it the script skips with one loud line, except
# with CI=true, where the test fails.
set -uo pipefail
soffice --version >/dev/null 2>&1 && exit 0
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
	echo "need-libreoffice: installing Debian's libreoffice-calc-nogui" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q --no-install-recommends libreoffice-calc-nogui >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends libreoffice-calc-nogui >/dev/null 2>&1; }
fi
soffice --version >/dev/null 2>&1 && exit 0
echo "*** need-libreoffice: no LibreOffice (apt-get install libreoffice-calc-nogui): the spreadsheet test will $([[ "${CI:-}" == true ]] && echo FAIL || echo be SKIPPED) ***" >&2
exit 0
