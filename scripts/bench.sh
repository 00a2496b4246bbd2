#!/usr/bin/env bash
# The benchmarks of `make bench`: whole-process timings of commercectl side
# by side with the sqlite3 shell doing the same read, in one run, so that the
# ratio means something on a shared, noisy machine. See docs/PERFORMANCE.md.
#
#   ./scripts/bench.sh [BIN]        BIN defaults to bin/commercectl
#
# Environment:
#   BENCH_RUNS=40        timed runs of each command per round
#   BENCH_ROUNDS=15      rounds; each round runs every command, in a rotated order
#   BENCH_WARMUP=5       untimed runs of each command before each round
#   BENCH_MAX_RATIO=     when set (e.g. 2), exit 1 if the ratio commercectl/sqlite3
#                        is above it; unset: only report
#   BENCH_ONLY=          run only these benchmarks, e.g. "export_users import_users"
#   BENCH_BULK_USERS=1000000  users of the synthetic tenant of the bulk benchmarks
#   BENCH_BULK_RUNS=3    runs of each bulk command (each takes seconds)
#   BENCH_REQUESTS=100000     license requests stored in the big synthetic tenant
#   BENCH_REQUEST_USERS=5000  users named by the request approve_request approves
#   BENCH_LIST_RUNS=30   hyperfine runs of each list-requests command
#   BENCH_TAKEOVER_USERS=100000  licensed users of the self-service subscription
#                        bench_takeover moves (SUB-0000001 of its own tenant)
#   BENCH_CONFLICT_SUBS=50000  self-service subscriptions of the tenant of
#                        bench_list_conflicts ($BENCH_BULK_USERS users, all licensed)
#   BENCH_CONFLICT_EXPIRED=300  of them expired, BENCH_CONFLICT_SHORT=200 short
#                        of 1 to 3 seats: the conflicts list-conflicts finds
#   BENCH_CONFLICT_RUNS=50  hyperfine runs of list-conflicts
#   BENCH_INSTALL=1      time a copy of BIN installed in .bench/, as a package
#                        or `install` would put it; 0: time BIN where it is.
#                        A file the Go linker has just written sits in the page
#                        cache in small pages and starts measurably slower
#                        than the same bytes copied (docs/PERFORMANCE.md).
#
# Each benchmark is one function, bench_*; add new ones to main at the end.
# Results: .bench/<benchmark>-round<N>.json (hyperfine's own export).
set -euo pipefail

BIN=${1:-bin/commercectl}
OUT=.bench
DB=$OUT/demo.db
ADMIN=admin@contoso.com
RUNS=${BENCH_RUNS:-40}
ROUNDS=${BENCH_ROUNDS:-15}
WARMUP=${BENCH_WARMUP:-5}
MAX_RATIO=${BENCH_MAX_RATIO:-}
INSTALL=${BENCH_INSTALL:-1}
ONLY=${BENCH_ONLY:-}
BULK=${BENCH_BULK_USERS:-1000000}
BULK_RUNS=${BENCH_BULK_RUNS:-3}
REQUESTS=${BENCH_REQUESTS:-100000}
REQUEST_USERS=${BENCH_REQUEST_USERS:-5000}
LIST_RUNS=${BENCH_LIST_RUNS:-30}
TAKEOVER_USERS=${BENCH_TAKEOVER_USERS:-100000}
CONFLICT_SUBS=${BENCH_CONFLICT_SUBS:-50000}
CONFLICT_EXPIRED=${BENCH_CONFLICT_EXPIRED:-300}
CONFLICT_SHORT=${BENCH_CONFLICT_SHORT:-200}
CONFLICT_RUNS=${BENCH_CONFLICT_RUNS:-50}
# The clock of internal/gentenant's tenants (its Now): the requests it makes
# are dated relative to it, so the request benchmarks run at that time
# (COMMERCECTL_NOW, set for those commands only) and the data stays valid
# however long it is kept.
GEN_NOW=2026-11-01T09:00:00Z
FAILED=0

# commercectl must read only its flags: no identity, database or format from
# the environment, and no config file of the person running the benchmark.
unset COMMERCECTL_DB COMMERCECTL_AS COMMERCECTL_OUTPUT COMMERCECTL_NOW
export XDG_CONFIG_HOME=$PWD/$OUT/config NO_COLOR=1

die() { echo "bench: $*" >&2; exit 1; }

# shell_words prints its arguments as one command line a shell reads back.
shell_words() {
	local a out=() q
	for a in "$@"; do
		if [[ $a =~ ^[-A-Za-z0-9_./=:@]+$ ]]; then
			out+=("$a")
		else
			q=${a//\\/\\\\}
			q=${q//\"/\\\"}
			q=${q//\$/\\\$}
			q=${q//\`/\\\`}
			out+=("\"$q\"")
		fi
	done
	echo "${out[*]}"
}

# need_tools installs hyperfine and sqlite3 when they are missing.
need_tools() {
	local missing=()
	command -v hyperfine >/dev/null || missing+=(hyperfine)
	command -v sqlite3 >/dev/null || missing+=(sqlite3)
	[[ -x /usr/bin/time ]] || missing+=(time)
	if ((${#missing[@]})); then
		echo "bench: installing ${missing[*]}"
		command -v apt-get >/dev/null || die "install ${missing[*]} (no apt-get here)"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
	fi
	command -v go >/dev/null || die "go is needed to build the reference probe"
	[[ -x $BIN ]] || die "$BIN is not an executable (run make build)"
}

# setup builds the demo tenant and the reference probe, both in $OUT, and
# installs the binaries that are timed.
setup() {
	mkdir -p "$OUT"
	"$BIN" init --tenant Contoso --admin "$ADMIN" --demo --force --db "$DB" >/dev/null
	CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$OUT/benchprobe.linked" ./internal/benchprobe
	install -m 0755 "$OUT/benchprobe.linked" "$OUT/benchprobe"
	rm -f "$OUT/benchprobe.linked"
	if [[ $INSTALL == 1 ]]; then
		install -m 0755 "$BIN" "$OUT/commercectl"
		CLI=$OUT/commercectl
	else
		CLI=$BIN
	fi
	echo "machine: $(nproc) CPUs, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "tools:   $(hyperfine --version), sqlite3 $(sqlite3 --version | cut -d' ' -f1), $(go version | cut -d' ' -f3)"
	echo "timing:  $CLI ($(if [[ $INSTALL == 1 ]]; then echo "an installed copy of $BIN"; else echo "as built"; fi))"
}

# compare NAME REF TARGET  CMDNAME CMD  [CMDNAME CMD]...
# runs the commands with hyperfine, $ROUNDS rounds of $RUNS runs each (the
# order rotates from round to round so that no command always runs while
# the machine is busier), prints each one's mean ± σ over all runs and the
# median of its per-round medians, and the ratio TARGET/REF: the median over
# the rounds of the ratio of medians in the round. Sets FAILED if that ratio
# is above BENCH_MAX_RATIO.
compare() {
	local name=$1 ref=$2 target=$3
	shift 3
	local -a names=() cmds=()
	while (($#)); do names+=("$1"); cmds+=("$2"); shift 2; done
	local n=${#names[@]} round i j
	echo
	echo "== $name"
	for ((i = 0; i < n; i++)); do printf '   %-12s %s\n' "${names[i]}" "${cmds[i]}"; done
	rm -f "$OUT/$name"-round*.json "$OUT/$name"-round*.csv "$OUT/$name.log"
	for ((round = 1; round <= ROUNDS; round++)); do
		local -a args=()
		for ((j = 0; j < n; j++)); do
			i=$(((j + round - 1) % n))
			args+=(-n "${names[i]}" "${cmds[i]}")
		done
		local -a hf=(hyperfine -N --style none --warmup "$WARMUP" --runs "$RUNS"
			--export-json "$OUT/$name-round$round.json"
			--export-csv "$OUT/$name-round$round.csv" "${args[@]}")
		((round > 1)) || echo "   \$ $(shell_words "${hf[@]}")"
		"${hf[@]}" >/dev/null 2>"$OUT/$name.log" || { cat "$OUT/$name.log" >&2; die "hyperfine failed"; }
		((round > 1)) || printf '   rounds:'
		printf ' %d' "$round"
	done
	echo
	# CSV columns: command,mean,stddev,median,user,system,min,max (seconds).
	# A burst of load from other processes lands on one command's batch of
	# one round; the ratio is therefore taken in each round (the commands ran
	# seconds apart) and the median over the rounds is the figure.
	local verdict
	verdict=$(awk -F, -v ref="$ref" -v target="$target" -v max="$MAX_RATIO" -v order="${names[*]}" '
		function median(a, n,   i, j, t) {
			for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		FNR == 1 { rounds++; next }
		{
			c = $1; k[c]++; m[c] += $2; s2[c] += $3 * $3; mm[c] += $2 * $2
			u[c] += $5; sys[c] += $6; med[c, rounds] = $4
		}
		END {
			split(order, names, " ")
			printf "   %-12s %18s %9s %9s %9s\n", "", "mean ± σ (ms)", "median", "user", "sys"
			for (i = 1; i in names; i++) {
				c = names[i]; r = k[c]
				mean[c] = m[c] / r; var = s2[c] / r + mm[c] / r - mean[c] * mean[c]
				sd[c] = sqrt(var > 0 ? var : 0)
				for (j = 1; j <= rounds; j++) x[j] = med[c, j]
				md[c] = median(x, rounds)
				printf "   %-12s %9.2f ± %5.2f %9.2f %9.2f %9.2f\n", c, 1e3 * mean[c], 1e3 * sd[c], 1e3 * md[c], 1e3 * u[c] / r, 1e3 * sys[c] / r
			}
			for (j = 1; j <= rounds; j++) x[j] = med[target, j] / med[ref, j]
			rr = median(x, rounds); lo = x[1]; hi = x[rounds]
			rm = mean[target] / mean[ref]
			rsd = rm * sqrt((sd[target] / mean[target]) ^ 2 + (sd[ref] / mean[ref]) ^ 2)
			printf "   RATIO %s/%s: %.2f  (median of %d rounds, range %.2f-%.2f; ratio of means %.2f ± %.2f)\n", target, ref, rr, rounds, lo, hi, rm, rsd
			for (i = 1; i in names; i++) {
				c = names[i]
				if (c == ref || c == target) continue
				for (j = 1; j <= rounds; j++) x[j] = med[c, j] / med[ref, j]
				r1 = median(x, rounds)
				for (j = 1; j <= rounds; j++) x[j] = med[target, j] / med[c, j]
				printf "   (%s/%s: %.2f, %s/%s: %.2f)\n", c, ref, r1, target, c, median(x, rounds)
			}
			if (max != "") {
				if (rr > max + 0) printf "   FAIL: %.2f is above BENCH_MAX_RATIO=%s\n", rr, max
				else printf "   ok: %.2f is within BENCH_MAX_RATIO=%s\n", rr, max
			}
		}' "$OUT/$name"-round*.csv)
	echo "$verdict"
	[[ $verdict != *"FAIL:"* ]] || FAILED=1
}

# bench_get_product_policy: one product's policy, read as JSON by an admin,
# against the sqlite3 shell selecting the same row, and against the floor:
# a bare Go program reading the row with the same driver.
bench_get_product_policy() {
	local policy=AllowSelfServicePurchase product=CFQ7TTC0H9MP
	local sql="SELECT pp.policy_id, pp.product_id, p.name, p.publisher, pp.value FROM product_policies pp JOIN products p ON p.id = pp.product_id WHERE pp.policy_id = '$policy' AND pp.product_id = '$product'"
	local cli="$CLI get-product-policy $policy --product $product -o json --db $DB --as $ADMIN"
	local shell probe json
	# The three must read the same row, or the timings compare nothing.
	shell=$(sqlite3 "$DB" "$sql")
	probe=$("$OUT/benchprobe" "$DB" "$policy" "$product")
	json=$($cli)
	[[ -n $shell && $shell == "$probe" ]] || die "sqlite3 read '$shell', benchprobe read '$probe'"
	[[ $json == *"\"productId\": \"$product\""* && $json == *"\"policyValue\": \"${shell##*|}\""* ]] ||
		die "commercectl printed $json, sqlite3 read '$shell'"
	compare get-product-policy sqlite3 commercectl \
		commercectl "$cli" \
		sqlite3 "sqlite3 $DB \"$sql\"" \
		benchprobe "$OUT/benchprobe $DB $policy $product"
}

# --- Bulk benchmarks (users, licenses, export) ---------------------------------
# They run on synthetic tenants made by internal/gentenant (a million users by
# default), generated here and never committed.

# gen_tenants builds gentenant and, when missing or made for another size,
# the synthetic tenants: $BULK users each holding a license of a
# self-service subscription, and one tenth of it for the memory comparison.
# The big one also holds $REQUESTS license requests, the last of them pending
# and naming $REQUEST_USERS users (gentenant -requests).
gen_tenants() {
	CGO_ENABLED=0 go build -o "$OUT/gentenant" ./internal/gentenant
	REQUEST_USERS=$((REQUEST_USERS < BULK ? REQUEST_USERS : BULK))
	local n db reqs have
	for n in "$BULK" "$((BULK / 10))"; do
		db=$OUT/tenant-$n.db reqs=0
		[[ $n == "$BULK" ]] && reqs=$REQUESTS
		have=
		[[ -s $db ]] && have=$(sqlite3 "$db" "SELECT count(*) || ' ' || (SELECT count(*) FROM request_users WHERE request_id = (SELECT max(id) FROM requests)) FROM requests")
		if [[ $have != "$reqs $((reqs ? REQUEST_USERS : 0))" ]]; then
			echo "generating a synthetic tenant of $n users and $reqs requests in $db"
			"$OUT/gentenant" tenant -users "$n" -licensed "$n" -central "$n" -requests "$reqs" -request-users "$REQUEST_USERS" "$db"
		fi
		# Bring it to the schema of the binary under test, untimed (a no-op
		# when it is there already).
		"$CLI" --db "$db" --as "$ADMIN" get-policies >/dev/null
	done
}

# measure CMD... runs a command with its output thrown away and prints
# "SECONDS MAX_RSS_KB".
measure() {
	/usr/bin/time -f '%e %M' -o "$OUT/time.txt" "$@" >/dev/null
	cat "$OUT/time.txt"
}

# median of numbers, one per line on stdin.
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# check NAME OK reports a target met or missed, and marks the run failed
# when BENCH_MAX_RATIO asks for gating.
check() {
	if [[ $2 == 1 ]]; then echo "  target met: $1"; else echo "  TARGET MISSED: $1"; [[ -n $MAX_RATIO ]] && FAILED=1; fi
	return 0
}

# import-users of $BULK rows into a new tenant: rows per second and peak memory.
bench_import_users() {
	echo
	echo "== import-users: $BULK rows into a new tenant"
	local csv=$OUT/users-$BULK.csv i t rss secs=() rsss=()
	[[ -s $csv ]] || "$OUT/gentenant" users "$BULK" "$csv"
	for ((i = 1; i <= BULK_RUNS; i++)); do
		rm -f "$OUT"/import.db*
		"$CLI" init --tenant Import --admin "$ADMIN" --db "$OUT/import.db" >/dev/null
		read -r t rss < <(measure "$CLI" --db "$OUT/import.db" --as "$ADMIN" import-users "$csv")
		secs+=("$t") rsss+=("$rss")
		echo "  run $i: ${t}s, peak ${rss} KB"
	done
	t=$(printf '%s\n' "${secs[@]}" | median)
	rss=$(printf '%s\n' "${rsss[@]}" | sort -g | tail -1)
	local rate=$(awk -v n="$BULK" -v t="$t" 'BEGIN {printf "%d", n / t}')
	echo "  median ${t}s: $rate rows/s; peak memory $((rss / 1024)) MB"
	check "at least 150,000 rows/s ($rate)" "$(awk -v r="$rate" 'BEGIN {print (r >= 150000)}')"
	check "peak memory under 150 MB ($((rss / 1024)) MB)" "$((rss < 150 * 1024))"
}

# export-users of every self-service license to CSV, against sqlite3 -csv
# running the same query, side by side; and peak memory at a tenth of the rows.
bench_export_users() {
	echo
	echo "== export-users --self-service to CSV: $BULK rows, against sqlite3 -csv"
	local big=$OUT/tenant-$BULK.db small=$OUT/tenant-$((BULK / 10)).db
	local sql="SELECT u.upn, u.display_name, u.department, l.product_id, p.name, l.subscription_id, coalesce(pu.upn, ''), l.assigned_at, l.disabled_plans FROM licenses l JOIN users u ON u.id = l.user_id JOIN products p ON p.id = l.product_id JOIN subscriptions s ON s.id = l.subscription_id LEFT JOIN users pu ON pu.id = s.purchaser_id WHERE s.kind <> 'central' ORDER BY l.id"
	local rows
	rows=$("$CLI" --db "$big" --as "$ADMIN" export-users --self-service | wc -l)
	[[ $rows == $((BULK + 1)) ]] || die "export-users wrote $rows lines for $BULK licenses"
	hyperfine -N --style basic --warmup 1 --runs "$BULK_RUNS" --output pipe \
		--export-json "$OUT/export-users.json" \
		-n commercectl "$CLI --db $big --as $ADMIN export-users --self-service" \
		-n "sqlite3 -csv" "sqlite3 -csv $big \"$sql\"" 2>/dev/null | grep -E 'Time|±|faster' | sed 's/^/  /'
	local ratio
	ratio=$(awk '/"mean"/ {gsub(/[^0-9.e-]/, "", $2); m[++n] = $2} END {printf "%.2f", m[1] / m[2]}' "$OUT/export-users.json")
	echo "  ratio of means commercectl / sqlite3 -csv: $ratio"
	check "at most 1.6x sqlite3 -csv ($ratio)" "$(awk -v r="$ratio" 'BEGIN {print (r <= 1.6)}')"
	local t1 m1 t2 m2
	read -r t1 m1 < <(measure "$CLI" --db "$small" --as "$ADMIN" export-users --self-service)
	read -r t2 m2 < <(measure "$CLI" --db "$big" --as "$ADMIN" export-users --self-service)
	echo "  peak memory: $((m1 / 1024)) MB for $((BULK / 10)) rows, $((m2 / 1024)) MB for $BULK rows"
	check "peak memory under 64 MB ($((m2 / 1024)) MB)" "$((m2 < 64 * 1024))"
	check "memory does not grow with rows (+$(((m2 - m1) / 1024)) MB)" "$((m2 - m1 < 8 * 1024))"
}

# assign-license of 100,000 users in one call, on a fresh copy of the big tenant.
bench_assign_license() {
	echo
	echo "== assign-license of 100,000 users in one call, on a tenant of $BULK users"
	local n=$((BULK < 100000 ? BULK : 100000)) i t secs=()
	seq -f "user%07g@contoso.com" 2 $((n + 1)) > "$OUT/assign-users.txt"
	for ((i = 1; i <= BULK_RUNS; i++)); do
		cp "$OUT/tenant-$BULK.db" "$OUT/assign.db"
		rm -f "$OUT"/assign.db-wal "$OUT"/assign.db-shm
		read -r t _ < <(measure "$CLI" --db "$OUT/assign.db" --as "$ADMIN" assign-license --product CFQ7TTC0HD32 --users-file "$OUT/assign-users.txt")
		secs+=("$t")
		echo "  run $i: ${t}s"
	done
	rm -f "$OUT"/assign.db*
	t=$(printf '%s\n' "${secs[@]}" | median)
	echo "  median ${t}s"
	check "under 2 s ($t)" "$(awk -v t="$t" 'BEGIN {print (t < 2)}')"
}

# --- License requests --------------------------------------------------------
# On the big synthetic tenant and its $REQUESTS requests, at gentenant's clock.

# approve-request of the pending request naming $REQUEST_USERS users, on a
# fresh copy of the tenant each run; every run is checked afterwards: the
# request Approved, one new license from the central pool and one e-mail per
# user.
bench_approve_request() {
	echo
	echo "== approve-request of a request naming $REQUEST_USERS users, on a tenant of $BULK users and $REQUESTS requests"
	local db=$OUT/tenant-$BULK.db copy=$OUT/approve.db id n status free before i t secs=() after want
	read -r id n status < <(sqlite3 -separator ' ' "$db" "SELECT r.id, count(*), r.status FROM requests r JOIN request_users x ON x.request_id = r.id
		WHERE r.id = (SELECT max(id) FROM requests) GROUP BY r.id")
	[[ $n == "$REQUEST_USERS" && $status == Pending ]] || die "request $id names $n users and is $status, not $REQUEST_USERS and Pending"
	read -r free before < <(sqlite3 -separator ' ' "$db" "SELECT s.quantity - count(l.id), count(l.id) FROM subscriptions s
		LEFT JOIN licenses l ON l.subscription_id = s.id WHERE s.id = 'SUB-CENTRAL' GROUP BY s.id")
	((free >= n)) || die "SUB-CENTRAL has $free free seats for $n users"
	echo "   \$ COMMERCECTL_NOW=$GEN_NOW $CLI --db $copy --as $ADMIN approve-request $id -o json"
	want="Approved $((before + n)) $n"
	for ((i = 1; i <= BULK_RUNS; i++)); do
		cp "$db" "$copy"
		rm -f "$copy-wal" "$copy-shm"
		read -r t _ < <(COMMERCECTL_NOW=$GEN_NOW measure "$CLI" --db "$copy" --as "$ADMIN" approve-request "$id" -o json)
		after=$(sqlite3 -separator ' ' "$copy" "SELECT (SELECT status FROM requests WHERE id = $id),
			(SELECT count(*) FROM licenses WHERE subscription_id = 'SUB-CENTRAL'),
			(SELECT count(*) FROM notifications WHERE kind = 'request-approved' AND body LIKE 'Request $id,%')")
		[[ $after == "$want" ]] || die "after approve-request: status, SUB-CENTRAL licenses, e-mails = $after, not $want"
		secs+=("$t")
		echo "  run $i: ${t}s"
	done
	rm -f "$copy" "$copy-wal" "$copy-shm"
	t=$(printf '%s\n' "${secs[@]}" | median)
	echo "  median ${t}s"
	check "under 1 s ($t)" "$(awk -v t="$t" 'BEGIN {print (t < 1)}')"
}

# list-requests -o json, the default (pending, within retention) and
# --status all, with hyperfine; each checked first to list the requests and
# users that sqlite3 counts in the retention window.
bench_list_requests() {
	echo
	echo "== list-requests -o json on $REQUESTS stored requests, on a tenant of $BULK users"
	local db=$OUT/tenant-$BULK.db status cond got want
	local cli="$CLI --db $db --as $ADMIN list-requests -o json"
	for status in pending all; do
		cond=
		[[ $status == pending ]] && cond="AND r.status = 'Pending'"
		want=$(sqlite3 "$db" "SELECT count(DISTINCT r.id) || ' requests, ' || count(*) || ' users' FROM requests r
			JOIN request_users x ON x.request_id = r.id
			WHERE r.requested_at >= strftime('%Y-%m-%dT%H:%M:%SZ', '$GEN_NOW', '-' || (SELECT request_retention_days FROM tenant) || ' days') $cond")
		got=$(COMMERCECTL_NOW=$GEN_NOW $cli --status "$status" --jq '"\(length) requests, \(map(.users | length) | add) users"')
		[[ $got == "$want" ]] || die "list-requests --status $status printed $got; sqlite3 counts $want"
		echo "   --status $status: $got"
	done
	local -a hf=(hyperfine -N --style basic --warmup 3 --runs "$LIST_RUNS"
		--export-json "$OUT/list-requests.json" --export-csv "$OUT/list-requests.csv"
		-n pending "$cli" -n all "$cli --status all")
	echo "   \$ COMMERCECTL_NOW=$GEN_NOW $(shell_words "${hf[@]}")"
	COMMERCECTL_NOW=$GEN_NOW "${hf[@]}" >/dev/null 2>"$OUT/list-requests.log" || { cat "$OUT/list-requests.log" >&2; die "hyperfine failed"; }
	# CSV columns: command,mean,stddev,median,user,system,min,max (seconds).
	local name mean sd med user sys min max what
	while IFS=, read -r name mean sd med user sys min max; do
		what="list-requests"
		[[ $name == pending ]] || what+=" --status $name"
		printf '  %-8s median %6.1f ms, mean %6.1f ± %5.1f ms, min %6.1f ms, user %6.1f ms, sys %5.1f ms\n' "$name" \
			"$(awk -v x="$med" 'BEGIN {print 1e3 * x}')" "$(awk -v x="$mean" 'BEGIN {print 1e3 * x}')" "$(awk -v x="$sd" 'BEGIN {print 1e3 * x}')" \
			"$(awk -v x="$min" 'BEGIN {print 1e3 * x}')" "$(awk -v x="$user" 'BEGIN {print 1e3 * x}')" "$(awk -v x="$sys" 'BEGIN {print 1e3 * x}')"
		check "$what under 200 ms (median $(awk -v x="$med" 'BEGIN {printf "%.1f", 1e3 * x}') ms)" \
			"$(awk -v x="$med" 'BEGIN {print (x < 0.2)}')"
	done < <(tail -n +2 "$OUT/list-requests.csv")
}

# --- Takeover -----------------------------------------------------------------

# takeover-subscription --move-to-subscription of one self-service subscription
# of $TAKEOVER_USERS licensed users into the central SUB-CENTRAL, on a tenant
# of $BULK users all licensed (gentenant -first-sub: SUB-0000001 holds the
# $TAKEOVER_USERS, the others 200 each), a fresh copy each run; every run is
# checked afterwards: all the users on SUB-CENTRAL, none left on SUB-0000001,
# which is canceled, and one e-mail to its purchaser.
bench_takeover() {
	local n=$((TAKEOVER_USERS < BULK ? TAKEOVER_USERS : BULK))
	local db=$OUT/takeover-$BULK.db copy=$OUT/takeover.db have i t secs=() after want
	echo
	echo "== takeover-subscription of a self-service subscription of $n users, on a tenant of $BULK users"
	have=
	[[ -s $db ]] && have=$(sqlite3 -separator ' ' "$db" "SELECT (SELECT count(*) FROM licenses WHERE subscription_id = 'SUB-0000001'),
		(SELECT count(*) FROM users) - 1, (SELECT quantity FROM subscriptions WHERE id = 'SUB-CENTRAL')")
	if [[ $have != "$n $BULK $((2 * n))" ]]; then
		echo "generating a synthetic tenant of $BULK users, SUB-0000001 of $n of them, in $db"
		"$OUT/gentenant" tenant -users "$BULK" -licensed "$BULK" -first-sub "$n" -central "$((2 * n))" "$db"
	fi
	"$CLI" --db "$db" --as "$ADMIN" get-policies >/dev/null
	local purchaser
	purchaser=$(sqlite3 "$db" "SELECT u.upn FROM subscriptions s JOIN users u ON u.id = s.purchaser_id WHERE s.id = 'SUB-0000001'")
	echo "   \$ $CLI --db $copy --as $ADMIN takeover-subscription SUB-0000001 --move-to-subscription SUB-CENTRAL"
	want="0 $n 1 1"
	for ((i = 1; i <= BULK_RUNS; i++)); do
		cp "$db" "$copy"
		rm -f "$copy-wal" "$copy-shm"
		read -r t _ < <(measure "$CLI" --db "$copy" --as "$ADMIN" takeover-subscription SUB-0000001 --move-to-subscription SUB-CENTRAL)
		after=$(sqlite3 -separator ' ' "$copy" "SELECT (SELECT count(*) FROM licenses WHERE subscription_id = 'SUB-0000001'),
			(SELECT count(*) FROM licenses WHERE subscription_id = 'SUB-CENTRAL'),
			(SELECT canceled_at IS NOT NULL FROM subscriptions WHERE id = 'SUB-0000001'),
			(SELECT count(*) FROM notifications WHERE kind = 'subscription-taken-over' AND to_upn = '$purchaser')")
		[[ $after == "$want" ]] || die "after takeover-subscription: SUB-0000001 licenses, SUB-CENTRAL licenses, canceled, e-mails = $after, not $want"
		secs+=("$t")
		echo "  run $i: ${t}s"
	done
	rm -f "$copy" "$copy-wal" "$copy-shm"
	t=$(printf '%s\n' "${secs[@]}" | median)
	echo "  median ${t}s"
	check "under 3 s ($t)" "$(awk -v t="$t" 'BEGIN {print (t < 3)}')"
}

# --- License conflicts ----------------------------------------------------------

# list-conflicts -o json on a tenant of $BULK users all holding a Power BI Pro
# license of one of $CONFLICT_SUBS self-service subscriptions, of which
# $CONFLICT_EXPIRED expired ten days before gentenant's clock and
# $CONFLICT_SHORT have 1 to 3 seats fewer than the licenses they hold
# (gentenant -expired, -short), run at that clock. Checked first: as many
# conflicts and users needing a valid license as sqlite3 counts; then timed
# with hyperfine.
bench_list_conflicts() {
	local per=$((BULK / CONFLICT_SUBS))
	local db=$OUT/conflicts-$BULK.db have want got
	echo
	echo "== list-conflicts -o json on a tenant of $BULK users and $CONFLICT_SUBS subscriptions, $((CONFLICT_EXPIRED + CONFLICT_SHORT)) in conflict"
	((per >= 4)) || die "BENCH_CONFLICT_SUBS=$CONFLICT_SUBS leaves fewer than 4 licenses per subscription"
	have=
	[[ -s $db ]] && have=$(sqlite3 -separator ' ' "$db" "SELECT (SELECT count(*) FROM users) - 1,
		(SELECT count(*) FROM subscriptions WHERE kind = 'selfService'),
		(SELECT count(*) FROM subscriptions WHERE expires_at < '$GEN_NOW'),
		(SELECT count(*) FROM subscriptions WHERE kind = 'selfService' AND expires_at >= '$GEN_NOW' AND quantity < $per)")
	if [[ $have != "$BULK $CONFLICT_SUBS $CONFLICT_EXPIRED $CONFLICT_SHORT" ]]; then
		echo "generating a synthetic tenant of $BULK users, $CONFLICT_SUBS subscriptions of $per, in $db"
		"$OUT/gentenant" tenant -users "$BULK" -licensed "$BULK" -per-sub "$per" \
			-expired "$CONFLICT_EXPIRED" -short "$CONFLICT_SHORT" "$db"
	fi
	"$CLI" --db "$db" --as "$ADMIN" get-policies >/dev/null
	# The pools in conflict, counted by sqlite3 (every pool here is one
	# self-service subscription; Active: not canceled, not expired at the
	# clock), against what list-conflicts prints.
	want=$(sqlite3 "$db" "SELECT count(*) || ' conflicts, ' || coalesce(sum(short), 0) || ' users' FROM (
		SELECT count(l.id) - CASE WHEN s.canceled_at IS NULL AND s.expires_at > '$GEN_NOW' THEN s.quantity ELSE 0 END AS short
		FROM subscriptions s JOIN licenses l ON l.subscription_id = s.id GROUP BY s.id) WHERE short > 0")
	[[ $want == "$((CONFLICT_EXPIRED + CONFLICT_SHORT)) conflicts, "* ]] || die "sqlite3 counts $want; gentenant made $((CONFLICT_EXPIRED + CONFLICT_SHORT)) conflicts"
	local cli="$CLI --db $db --as $ADMIN list-conflicts -o json"
	got=$(COMMERCECTL_NOW=$GEN_NOW $cli --jq '"\(length) conflicts, \(map(.users | length) | add // 0) users"')
	[[ $got == "$want" ]] || die "list-conflicts printed $got; sqlite3 counts $want"
	echo "   $got"
	local -a hf=(hyperfine -N --style basic --warmup 3 --runs "$CONFLICT_RUNS"
		--export-json "$OUT/list-conflicts.json" --export-csv "$OUT/list-conflicts.csv"
		-n list-conflicts "$cli")
	echo "   \$ COMMERCECTL_NOW=$GEN_NOW $(shell_words "${hf[@]}")"
	COMMERCECTL_NOW=$GEN_NOW "${hf[@]}" >/dev/null 2>"$OUT/list-conflicts.log" || { cat "$OUT/list-conflicts.log" >&2; die "hyperfine failed"; }
	# CSV columns: command,mean,stddev,median,user,system,min,max (seconds).
	local name mean sd med user sys min max
	IFS=, read -r name mean sd med user sys min max < <(tail -n +2 "$OUT/list-conflicts.csv")
	printf '  median %6.1f ms, mean %6.1f ± %5.1f ms, min %6.1f ms, max %6.1f ms, user %6.1f ms, sys %5.1f ms (%d runs)\n' \
		"$(awk -v x="$med" 'BEGIN {print 1e3 * x}')" "$(awk -v x="$mean" 'BEGIN {print 1e3 * x}')" "$(awk -v x="$sd" 'BEGIN {print 1e3 * x}')" \
		"$(awk -v x="$min" 'BEGIN {print 1e3 * x}')" "$(awk -v x="$max" 'BEGIN {print 1e3 * x}')" \
		"$(awk -v x="$user" 'BEGIN {print 1e3 * x}')" "$(awk -v x="$sys" 'BEGIN {print 1e3 * x}')" "$CONFLICT_RUNS"
	check "list-conflicts under 300 ms (median $(awk -v x="$med" 'BEGIN {printf "%.1f", 1e3 * x}') ms)" \
		"$(awk -v x="$med" 'BEGIN {print (x < 0.3)}')"
}

wants() { [[ -z $ONLY || " $ONLY " == *" $1 "* ]]; }

main() {
	need_tools
	setup
	wants get_product_policy && bench_get_product_policy
	if wants import_users || wants export_users || wants assign_license || wants approve_request || wants list_requests; then
		gen_tenants
		wants import_users && bench_import_users
		wants export_users && bench_export_users
		wants assign_license && bench_assign_license
		wants approve_request && bench_approve_request
		wants list_requests && bench_list_requests
	fi
	if wants takeover; then
		CGO_ENABLED=0 go build -o "$OUT/gentenant" ./internal/gentenant
		bench_takeover
	fi
	if wants list_conflicts; then
		CGO_ENABLED=0 go build -o "$OUT/gentenant" ./internal/gentenant
		bench_list_conflicts
	fi
	echo
	echo "hyperfine exports: $OUT/*-round*.json"
	exit "$FAILED"
}

main
