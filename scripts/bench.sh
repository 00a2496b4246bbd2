#!/usr/bin/env bash
# The benchmarks of `make bench`: whole-process timings of commercectl side
# by side with the sqlite3 shell doing the same read, in one run, so that the
# ratio means something on a shared, noisy machine; and, on PostgreSQL, side
# by side with psql (bench_pg_*). See docs/PERFORMANCE.md.
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
#   BENCH_STREAM_USERS=300000  users of the tenant of bench_stream_lists, every
#                        one licensed on the self-service SUB-0000001
#   BENCH_STREAM_BASELINE=  another build of commercectl (an older commit) that
#                        bench_stream_lists runs beside BIN, the same commands
#                        in the same run: before and after
#   BENCH_PG_WRITERS=8   processes of bench_pg_writers, each looping over
#   BENCH_PG_WRITER_LOOPS=20  add-user, assign-license, unassign-license
#   BENCH_PG_LOGIN_USERS=100000  licensed users bench_pg_logins moves, through a
#                        BillingAdmin's own login and as a superuser
#   BENCH_SEND=10000     notifications bench_send_notifications delivers to a
#                        local Mailpit (MAILPIT, default bin/mailpit: make bench builds it)
#   BENCH_PG_EXPORT_ROUNDS=5  rounds of bench_pg_export_users, each one run of
#                        commercectl and one of psql, in a rotated order
#   COMMERCECTL_TEST_PG= the PostgreSQL server of the bench_pg_* benchmarks: a
#                        URL to its "postgres" database as a superuser; they
#                        create and drop databases named commercectl_bench_*.
#                        Unset: the script runs itself again under
#                        scripts/with-postgres.sh, which starts a throwaway one.
#                        The commands are printed with their URLs: give a
#                        password in PGPASSWORD or ~/.pgpass, not in the URL.
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
STREAM_USERS=${BENCH_STREAM_USERS:-300000}
STREAM_BASELINE=${BENCH_STREAM_BASELINE:-}
PG_WRITERS=${BENCH_PG_WRITERS:-8}
PG_WRITER_LOOPS=${BENCH_PG_WRITER_LOOPS:-20}
PG_LOGIN_USERS=${BENCH_PG_LOGIN_USERS:-100000}
SEND=${BENCH_SEND:-10000}
MAILPIT=${MAILPIT:-bin/mailpit}
PG_EXPORT_ROUNDS=${BENCH_PG_EXPORT_ROUNDS:-5}
PG=${COMMERCECTL_TEST_PG:-}
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
	command -v curl >/dev/null || missing+=(curl)
	[[ -x /usr/bin/time ]] || missing+=(time)
	[[ -z $PG ]] || command -v psql >/dev/null || missing+=(postgresql-client)
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
	"$BIN" init --tenant Contoso --admin "$ADMIN" --demo --force --yes --db "$DB" >/dev/null
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
	COMPARED=$verdict
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

# --- Streamed lists ---------------------------------------------------------------

# list-users, list-licenses --product and get-subscription on a tenant of
# $STREAM_USERS users all licensed on SUB-0000001 (gentenant -first-sub), in
# json, table and csv: the median of $BULK_RUNS runs and the largest peak
# memory, beside export-users of the same licenses in the same run. With
# BENCH_STREAM_BASELINE, that binary runs every command too, right after.
bench_stream_lists() {
	local n=$STREAM_USERS db=$OUT/stream-$STREAM_USERS.db have
	echo
	echo "== streamed lists on a tenant of $n users, all licensed on SUB-0000001"
	have=
	[[ -s $db ]] && have=$(sqlite3 -separator ' ' "$db" "SELECT (SELECT count(*) FROM users) - 1, (SELECT count(*) FROM licenses WHERE subscription_id = 'SUB-0000001')")
	if [[ $have != "$n $n" ]]; then
		echo "generating a synthetic tenant of $n users in $db"
		"$OUT/gentenant" tenant -users "$n" -licensed "$n" -first-sub "$n" -central "$n" "$db"
	fi
	"$CLI" --db "$db" --as "$ADMIN" get-policies >/dev/null
	local bins=("$CLI")
	if [[ -n $STREAM_BASELINE ]]; then
		install -m 0755 "$STREAM_BASELINE" "$OUT/commercectl-baseline"
		bins+=("$OUT/commercectl-baseline")
	fi
	# Every user is printed: a "upn" key per user in JSON (and the admin in list-users).
	local verb got want
	for verb in "list-users:$((n + 1))" "list-licenses --product CFQ7TTC0H9MP:$n" "get-subscription SUB-0000001:$n"; do
		got=$("$CLI" --db "$db" --as "$ADMIN" ${verb%:*} -o json | grep -c '"upn"')
		want=${verb##*:}
		[[ $got == "$want" ]] || die "${verb%:*} -o json printed $got users, not $want"
	done
	local cmds=() f
	for verb in "list-users" "list-licenses --product CFQ7TTC0H9MP" "get-subscription SUB-0000001"; do
		for f in json table csv; do cmds+=("$verb -o $f"); done
	done
	cmds+=("export-users -o json" "export-users")
	echo "   each as \$ /usr/bin/time -f '%e %M' BIN --db $db --as $ADMIN COMMAND >/dev/null"
	local c bin i t rss secs peak line lists=0
	printf '  %-52s %s\n' "command" "$(for bin in "${bins[@]}"; do printf '%-28s' "$(basename "$bin"): median, peak"; done)"
	for c in "${cmds[@]}"; do
		line=$(printf '  %-52s ' "$c")
		for bin in "${bins[@]}"; do
			secs=() peak=0
			for ((i = 1; i <= BULK_RUNS; i++)); do
				read -r t rss < <(measure "$bin" --db "$db" --as "$ADMIN" $c)
				secs+=("$t")
				((rss > peak)) && peak=$rss
			done
			t=$(printf '%s\n' "${secs[@]}" | median)
			line+=$(printf '%-28s' "${t} s, $((peak / 1024)) MB")
			[[ $bin == "$CLI" && $c != export-users* && $peak -gt $lists ]] && lists=$peak
		done
		echo "$line"
	done
	check "the lists' peak memory under 64 MB ($((lists / 1024)) MB)" "$((lists < 64 * 1024))"
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

# --- PostgreSQL -----------------------------------------------------------------
# The same jobs on a tenant kept by a PostgreSQL server ($PG, a URL to its
# "postgres" database as a superuser), each against psql doing the same work
# in the same run. Every benchmark makes its databases, commercectl_bench_*,
# afresh and drops them when done.

# pg_url NAME prints the URL of database NAME on the server of $PG.
pg_url() {
	local base=${PG%%\?*} query=
	[[ $PG == *\?* ]] && query=?${PG#*\?}
	echo "${base%/*}/$1$query"
}

# pg_sql [psql flags] URL SQL... runs statements with psql, quietly, stopping
# at the first error.
pg_sql() { "${PSQL[@]}" "$@"; }

# pg_fresh NAME makes NAME an empty database, dropping what it held.
pg_fresh() {
	pg_sql "$PG" -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1"
}

pg_drop() { pg_sql "$PG" -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)"; }

# pg_setup picks the psql that is timed and says which server the benchmarks
# run on. Debian's /usr/bin/psql is pg_wrapper, a Perl script that picks a
# version and then runs the real psql: it adds about 20 ms to every start,
# so the binary itself is timed.
pg_setup() {
	PSQL_BIN=$(ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -1)
	[[ -n $PSQL_BIN ]] || PSQL_BIN=$(command -v psql)
	PSQL=("$PSQL_BIN" -X -q -v ON_ERROR_STOP=1)
	local v
	v=$("$PSQL_BIN" -X -A -t -F ' ' "$PG" -c "SELECT split_part(current_setting('server_version'), ' ', 1), current_setting('fsync'), current_setting('synchronous_commit'),
		current_setting('shared_buffers'), current_setting('work_mem'), current_setting('max_connections')") ||
		die "cannot reach the PostgreSQL server of COMMERCECTL_TEST_PG"
	local ver fsync sync shared work conns
	read -r ver fsync sync shared work conns <<<"$v"
	echo
	echo "postgres: $(redact_pg "$PG"): PostgreSQL $ver, fsync $fsync, synchronous_commit $sync, shared_buffers $shared, work_mem $work, max_connections $conns; $PSQL_BIN $("$PSQL_BIN" --version | cut -d" " -f3)"
}

# redact_pg shows a URL without its password.
redact_pg() { sed -E 's#(://[^:/@]*):[^@/]*@#\1:xxxxx@#; s#([?&]password=)[^&]*#\1xxxxx#' <<<"$1"; }

# The table psql copies the users CSV into: the columns and the indexes of
# the tenant's users table (upn_key, lower(upn), is computed by the server
# here, by commercectl there).
PG_USERS_COPY='CREATE TABLE users_copy (
	id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	upn          TEXT COLLATE "C" NOT NULL,
	upn_key      TEXT COLLATE "C" GENERATED ALWAYS AS (lower(upn)) STORED NOT NULL UNIQUE,
	display_name TEXT COLLATE "C" NOT NULL DEFAULT '\'\'',
	department   TEXT COLLATE "C" NOT NULL DEFAULT '\'\'',
	created_at   TEXT COLLATE "C" NOT NULL DEFAULT '\'"$GEN_NOW"\'')'

# import-users of $BULK rows into a new tenant (init on an empty database),
# against psql \copy of the same file into an empty table like users, one
# of each per run, the order alternating; then, once, psql's timing of the
# statements import-users runs, to say where its time goes.
bench_pg_import_users() {
	echo
	echo "== PostgreSQL import-users: $BULK rows into a new tenant, against psql \\copy"
	local csv=$OUT/users-$BULK.csv db=commercectl_bench_import url i k t rss n secs=() rsss=() psqls=() ratios=()
	url=$(pg_url $db)
	[[ -s $csv ]] || "$OUT/gentenant" users "$BULK" "$csv"
	local copy="\\copy users_copy (upn, display_name, department) FROM '$csv' CSV HEADER"
	echo "   \$ $CLI init --tenant Import --admin $ADMIN --db $url    (untimed, on an empty database)"
	echo "   \$ $CLI --db $url --as $ADMIN import-users $csv"
	echo "   \$ $PSQL_BIN -X -q -v ON_ERROR_STOP=1 $url -c \"$copy\"    (into an empty users_copy, the columns and indexes of users)"
	for ((i = 1; i <= BULK_RUNS; i++)); do
		local tc= tp=
		for k in $((i % 2)) $(((i + 1) % 2)); do
			pg_fresh $db
			if ((k == 1)); then
				"$CLI" init --tenant Import --admin "$ADMIN" --db "$url" >/dev/null
				read -r tc rss < <(measure "$CLI" --db "$url" --as "$ADMIN" import-users "$csv")
				n=$("$PSQL_BIN" -X -A -t "$url" -c "SELECT count(*) FROM users")
				[[ $n == $((BULK + 1)) ]] || die "after import-users the tenant holds $n users, not $((BULK + 1))"
			else
				pg_sql "$url" -c "$PG_USERS_COPY"
				read -r tp _ < <(measure "${PSQL[@]}" "$url" -c "$copy")
				n=$("$PSQL_BIN" -X -A -t "$url" -c "SELECT count(*) FROM users_copy")
				[[ $n == "$BULK" ]] || die "psql \\copy left $n rows, not $BULK"
			fi
		done
		secs+=("$tc") rsss+=("$rss") psqls+=("$tp")
		ratios+=("$(awk -v a="$tc" -v b="$tp" 'BEGIN {printf "%.3f", a / b}')")
		echo "  run $i: commercectl ${tc}s (peak ${rss} KB), psql ${tp}s: ${ratios[-1]}x"
	done
	pg_drop $db
	t=$(printf '%s\n' "${secs[@]}" | median)
	tp=$(printf '%s\n' "${psqls[@]}" | median)
	rss=$(printf '%s\n' "${rsss[@]}" | sort -g | tail -1)
	local rate prate ratio
	rate=$(awk -v n="$BULK" -v t="$t" 'BEGIN {printf "%d", n / t}')
	prate=$(awk -v n="$BULK" -v t="$tp" 'BEGIN {printf "%d", n / t}')
	ratio=$(printf '%s\n' "${ratios[@]}" | median)
	echo "  median: commercectl ${t}s, $rate rows/s, peak memory $((rss / 1024)) MB; psql \\copy ${tp}s, $prate rows/s"
	echo "  RATIO commercectl/psql: $(printf '%.2f' "$ratio") (median of the $BULK_RUNS runs' ratios)"
	check "at least 250,000 rows/s ($rate)" "$(awk -v r="$rate" 'BEGIN {print (r >= 250000)}')"
	check "peak memory under 150 MB ($((rss / 1024)) MB)" "$((rss < 150 * 1024))"
	pg_import_profile
}

# pg_import_profile runs, with psql's \timing, the statements import-users
# runs on PostgreSQL (store/sqlstore/import_users.go: COPY into a temporary
# table, INSERT ... SELECT into users under a savepoint, in one SERIALIZABLE
# transaction; the duplicate check runs only when the unique index refuses
# a UPN, and is timed here for information), on a new tenant, and beside them what the
# INSERT costs without the indexes of users and what one COPY straight into
# users costs.
pg_import_profile() {
	local csv=$OUT/users-$BULK.csv keyed=$OUT/users-$BULK-keyed.csv db=commercectl_bench_profile url
	url=$(pg_url $db)
	pg_fresh $db
	"$CLI" init --tenant Import --admin "$ADMIN" --db "$url" >/dev/null
	local -a labels=("BEGIN ISOLATION LEVEL SERIALIZABLE" "CREATE TEMP TABLE import_stage"
		"COPY of the file into import_stage" "  the duplicate check, run only when a UPN is refused"
		"SAVEPOINT import_users" "INSERT INTO users SELECT ... FROM import_stage" "the roles query"
		"  the same SELECT alone: scan of import_stage"
		"  CREATE TABLE users_noidx (LIKE users), no index"
		"  the same INSERT into users_noidx" "COMMIT")
	local out
	out=$(pg_sql -A -t "$url" <<-SQL
		\\timing on
		BEGIN ISOLATION LEVEL SERIALIZABLE;
		CREATE TEMP TABLE import_stage (line INTEGER GENERATED ALWAYS AS IDENTITY, upn TEXT NOT NULL,
			upn_key TEXT NOT NULL GENERATED ALWAYS AS (lower(upn)) STORED, display_name TEXT NOT NULL,
			department TEXT NOT NULL, roles TEXT NOT NULL DEFAULT '') ON COMMIT DROP;
		\\copy import_stage (upn, display_name, department) FROM '$csv' CSV HEADER
		SELECT count(*) FROM (SELECT s.line, s.upn, 'tenant' FROM import_stage s JOIN users u ON u.upn_key = s.upn_key
			UNION ALL
			SELECT s.line, s.upn, 'file' FROM import_stage s JOIN (SELECT upn_key, min(line) AS first FROM import_stage GROUP BY upn_key HAVING count(*) > 1) f
				ON f.upn_key = s.upn_key AND s.line > f.first
			WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.upn_key = s.upn_key)) dups;
		SAVEPOINT import_users;
		INSERT INTO users (upn, upn_key, display_name, department, created_at)
			SELECT upn, upn_key, display_name, department, '$GEN_NOW' FROM import_stage;
		SELECT count(*) FROM import_stage s JOIN users u ON u.upn_key = s.upn_key WHERE s.roles <> '';
		SELECT sum(length(upn)) FROM (SELECT upn, upn_key, display_name, department FROM import_stage OFFSET 0) s;
		CREATE TABLE users_noidx (LIKE users INCLUDING DEFAULTS INCLUDING IDENTITY);
		INSERT INTO users_noidx (upn, upn_key, display_name, department, created_at)
			SELECT upn, upn_key, display_name, department, '$GEN_NOW' FROM import_stage;
		COMMIT;
		\\copy (SELECT upn, upn_key, display_name, department, created_at FROM users WHERE id > 1 ORDER BY id) TO '$keyed' CSV
	SQL
	) || die "psql failed to run import-users' statements"
	echo "  where the time goes, psql \\timing of import-users' statements on a new tenant (one pass):"
	local -a ms
	mapfile -t ms < <(grep '^Time:' <<<"$out" | awk '{print $2}')
	local i sum=0
	for ((i = 0; i < ${#labels[@]}; i++)); do
		printf '    %-66s %9.1f ms\n' "${labels[i]}" "${ms[i]}"
		[[ ${labels[i]} == " "* ]] || sum=$(awk -v a="$sum" -v b="${ms[i]}" 'BEGIN {print a + b}')
	done
	printf '    %-66s %9.1f ms\n' "total of import-users' statements" "$sum"
	pg_fresh $db
	"$CLI" init --tenant Import --admin "$ADMIN" --db "$url" >/dev/null
	out=$(pg_sql -A -t "$url" <<-SQL
		\\timing on
		\\copy users (upn, upn_key, display_name, department, created_at) FROM '$keyed' CSV
	SQL
	) || die "psql failed to copy $keyed into users"
	printf '    %-66s %9.1f ms\n' "(one \\copy straight into users, upn_key in the file)" "$(grep '^Time:' <<<"$out" | awk '{print $2}')"
	rm -f "$keyed"
	pg_drop $db
}

# export-users --self-service of $BULK licenses to CSV, against psql \copy
# of the same SELECT to stdout, on the big synthetic tenant copied into the
# server with copy-tenant (timed too), $PG_EXPORT_ROUNDS rounds of one run
# each; and peak memory.
bench_pg_export_users() {
	echo
	echo "== PostgreSQL export-users --self-service to CSV: $BULK rows, against psql \\copy"
	local big=$OUT/tenant-$BULK.db db=commercectl_bench_export url t rss rows
	url=$(pg_url $db)
	pg_fresh $db
	echo "   \$ $CLI copy-tenant --db $big --to $url --as $ADMIN"
	/usr/bin/time -f '%e %M' -o "$OUT/time.txt" "$CLI" copy-tenant --db "$big" --to "$url" --as "$ADMIN" >"$OUT/copy-tenant.txt"
	read -r t rss <"$OUT/time.txt"
	rows=$(awk '$1 == "Rows:" {print $2}' "$OUT/copy-tenant.txt")
	echo "  copy-tenant: $rows rows in ${t}s ($(awk -v n="$rows" -v t="$t" 'BEGIN {printf "%d", n / t}') rows/s), peak $((rss / 1024)) MB; $("$PSQL_BIN" -X -A -t "$url" -c "SELECT pg_size_pretty(pg_database_size(current_database()))") on the server"
	read -r t _ < <(measure "${PSQL[@]}" "$url" -c "VACUUM (ANALYZE)")
	echo "  then VACUUM (ANALYZE), untimed in what follows: ${t}s"
	local sql="SELECT u.upn, u.display_name, u.department, l.product_id, p.name, l.subscription_id, coalesce(pu.upn, ''), l.assigned_at, l.disabled_plans FROM licenses l JOIN users u ON u.id = l.user_id JOIN products p ON p.id = l.product_id JOIN subscriptions s ON s.id = l.subscription_id LEFT JOIN users pu ON pu.id = s.purchaser_id WHERE s.kind <> 'central' ORDER BY l.id"
	local cli="$CLI --db $url --as $ADMIN export-users --self-service"
	local shell="$PSQL_BIN -X $url -c \"\\copy ($sql) TO STDOUT CSV HEADER\""
	rows=$($cli | wc -l)
	[[ $rows == $((BULK + 1)) ]] || die "export-users wrote $rows lines for $BULK licenses"
	rows=$("$PSQL_BIN" -X "$url" -c "\\copy ($sql) TO STDOUT CSV HEADER" | wc -l)
	[[ $rows == $((BULK + 1)) ]] || die "psql \\copy wrote $rows lines for $BULK licenses"
	ROUNDS=$PG_EXPORT_ROUNDS RUNS=1 WARMUP=0 compare pg-export-users psql commercectl \
		commercectl "$cli" \
		psql "$shell"
	local ratio
	ratio=$(awk '/RATIO/ {print $3; exit}' <<<"$COMPARED")
	check "at most 1.3x psql \\copy ($ratio)" "$(awk -v r="$ratio" 'BEGIN {print (r <= 1.3)}')"
	read -r t rss < <(measure $cli)
	echo "  peak memory of export-users: $((rss / 1024)) MB"
	check "peak memory under 64 MB ($((rss / 1024)) MB)" "$((rss < 64 * 1024))"
	pg_drop $db
}

# pg_writer LOG PREFIX LOOPS DB is one process of bench_pg_writers: LOOPS
# times add-user PREFIX-N, assign-license of Visio Plan 2 to them,
# unassign-license, one command after the other; LOG.codes gets "EXIT VERB"
# per command, LOG.err their stderr.
pg_writer() {
	local log=$1 prefix=$2 loops=$3 db=$4 j u rc
	local -a as=("$CLI" --db "$db" --as "$ADMIN")
	: >"$log.err"
	for ((j = 1; j <= loops; j++)); do
		u=$prefix-$j@contoso.com
		rc=0; "${as[@]}" add-user "$u" >/dev/null 2>>"$log.err" || rc=$?
		echo "$rc add-user"
		rc=0; "${as[@]}" assign-license --product CFQ7TTC0HD32 --users "$u" >/dev/null 2>>"$log.err" || rc=$?
		echo "$rc assign-license"
		rc=0; "${as[@]}" unassign-license --product CFQ7TTC0HD32 --users "$u" --yes >/dev/null 2>>"$log.err" || rc=$?
		echo "$rc unassign-license"
	done >"$log.codes"
}

# pg_rollbacks NAME prints how many transactions the server rolled back in
# database NAME, once no process is connected to it: commercectl's writes
# commit, so each rollback is an attempt the server aborted (a
# serialization failure or a deadlock, which commercectl retries) or a
# command that failed.
pg_rollbacks() {
	local i
	for ((i = 0; i < 100; i++)); do
		[[ $("$PSQL_BIN" -X -A -t "$PG" -c "SELECT count(*) FROM pg_stat_activity WHERE datname = '$1' AND backend_type = 'client backend'") == 0 ]] && break
		sleep 0.1
	done
	"$PSQL_BIN" -X -A -t "$PG" -c "SELECT xact_rollback FROM pg_stat_database WHERE datname = '$1'"
}

# run_writers ENGINE DB PROCS PREFIX starts PROCS pg_writer processes at once
# on DB and prints one line: commands, wall time, commands/s, exit codes and
# the failures; it sets WR_RATE, WR_FAILED, WR_SERIAL (commands whose stderr
# names a serialization failure, a deadlock or the retries given up), and,
# on PostgreSQL, WR_ABORTED (attempts the server aborted).
run_writers() {
	local engine=$1 db=$2 procs=$3 prefix=$4 w r0= t0 t1 dbname=${2##*/}
	dbname=${dbname%%\?*}
	[[ $engine == PostgreSQL ]] && r0=$(pg_rollbacks "$dbname")
	rm -f "$OUT/writer-"*
	t0=$EPOCHREALTIME
	for ((w = 1; w <= procs; w++)); do
		pg_writer "$OUT/writer-$w" "$prefix$w" "$PG_WRITER_LOOPS" "$db" &
	done
	wait
	t1=$EPOCHREALTIME
	local n codes
	n=$(cat "$OUT"/writer-*.codes | wc -l)
	WR_FAILED=$(cat "$OUT"/writer-*.codes | awk '$1 != 0' | wc -l)
	WR_SERIAL=$(cat "$OUT"/writer-*.err | grep -ciE 'serializ|40001|40P01|deadlock|gave up after' || true)
	codes=$(cat "$OUT"/writer-*.codes | awk '{c[$2 " exit " $1]++} END {for (k in c) printf "%s%d %s", (n++ ? ", " : ""), c[k], k}')
	WR_RATE=$(awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", n / (b - a)}')
	printf '  %-10s %2d process(es): %4d commands in %6.2f s: %6.1f commands/s; %s' "$engine" "$procs" "$n" \
		"$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')" "$WR_RATE" "$codes"
	WR_ABORTED=
	if [[ $engine == PostgreSQL ]]; then
		WR_ABORTED=$(($(pg_rollbacks "$dbname") - r0 - WR_FAILED))
		printf '; %d attempts aborted by the server and retried' "$WR_ABORTED"
	fi
	echo
	if ((WR_FAILED)); then
		cat "$OUT"/writer-*.err | sed -E 's/bench-(w|solo)[0-9]+-[0-9]+@/USER@/g' | sort | uniq -c | sort -rn | head -5 | sed 's/^/             /'
	fi
}

# $PG_WRITERS processes at once, each running $PG_WRITER_LOOPS times add-user,
# assign-license, unassign-license (one transaction each) on one tenant: the
# demo tenant with a central Visio Plan 2 subscription of enough seats. The
# same loop in one process first, and both on an SQLite file beside, in the
# same run. Then checks that every command exited 0, none named a
# serialization failure, and the tenant holds what they made.
bench_pg_writers() {
	echo
	echo "== PostgreSQL: $PG_WRITERS writers at once on one tenant, each $PG_WRITER_LOOPS x (add-user, assign-license, unassign-license)"
	local db=commercectl_bench_writers url engine target want got
	local seats=$(((PG_WRITERS + 1) * PG_WRITER_LOOPS))
	url=$(pg_url $db)
	echo "   process W: for N in 1..$PG_WRITER_LOOPS: $CLI --db DB --as $ADMIN add-user bench-wW-N@contoso.com;"
	echo "              ... assign-license --product CFQ7TTC0HD32 --users bench-wW-N@contoso.com; ... unassign-license (the same)"
	local pg_rate pg_solo sq_rate sq_solo pg_failed pg_serial pg_aborted
	for engine in PostgreSQL SQLite; do
		if [[ $engine == PostgreSQL ]]; then
			pg_fresh $db
			target=$url
		else
			target=$OUT/writers.db
			rm -f "$target" "$target"-wal "$target"-shm
		fi
		"$CLI" init --tenant Contoso --admin "$ADMIN" --demo --db "$target" >/dev/null
		"$CLI" --db "$target" --as "$ADMIN" add-subscription --product CFQ7TTC0HD32 --quantity "$seats" >/dev/null
		run_writers "$engine" "$target" 1 bench-solo
		local solo=$WR_RATE
		run_writers "$engine" "$target" "$PG_WRITERS" bench-w
		want="$(((PG_WRITERS + 1) * PG_WRITER_LOOPS)) 0"
		local q="SELECT (SELECT count(*) FROM users WHERE upn LIKE 'bench-%'),
			(SELECT count(*) FROM licenses l JOIN users u ON u.id = l.user_id WHERE u.upn LIKE 'bench-%')"
		if [[ $engine == PostgreSQL ]]; then
			got=$("$PSQL_BIN" -X -A -t -F ' ' "$url" -c "$q")
			pg_rate=$WR_RATE pg_solo=$solo pg_failed=$WR_FAILED pg_serial=$WR_SERIAL pg_aborted=$WR_ABORTED
		else
			got=$(sqlite3 -separator ' ' "$target" "$q")
			sq_rate=$WR_RATE sq_solo=$solo
			check "SQLite: every command exited 0 ($WR_FAILED did not)" "$((WR_FAILED == 0))"
		fi
		echo "             afterwards: $got (users made, licenses they still hold)"
		check "$engine: the tenant holds the $((PG_WRITERS + 1)) x $PG_WRITER_LOOPS users made and none of their licenses ($got)" "$([[ $got == "$want" ]] && echo 1)"
	done
	rm -f "$OUT"/writers.db* "$OUT"/writer-*
	pg_drop $db
	echo "  PostgreSQL: $pg_rate commands/s with $PG_WRITERS processes, $pg_solo with one ($(awk -v a="$pg_rate" -v b="$pg_solo" 'BEGIN {printf "%.2f", a / b}')x); SQLite: $sq_rate and $sq_solo ($(awk -v a="$sq_rate" -v b="$sq_solo" 'BEGIN {printf "%.2f", a / b}')x)"
	check "PostgreSQL: every command exited 0 ($pg_failed did not)" "$((pg_failed == 0))"
	check "PostgreSQL: no command saw a serialization failure ($pg_serial did; the server aborted and commercectl retried $pg_aborted attempts)" "$((pg_serial == 0))"
}

# get-product-policy of one product as JSON on the demo tenant kept by the
# server, against psql selecting the same row: the start-up of a read verb
# whose database is a connection away, with compare, like get_product_policy.
bench_pg_startup() {
	local policy=AllowSelfServicePurchase product=CFQ7TTC0H9MP db=commercectl_bench_startup url
	url=$(pg_url $db)
	pg_fresh $db
	"$CLI" init --tenant Contoso --admin "$ADMIN" --demo --db "$url" >/dev/null
	local sql="SELECT pp.policy_id, pp.product_id, p.name, p.publisher, pp.value FROM product_policies pp JOIN products p ON p.id = pp.product_id WHERE pp.policy_id = '$policy' AND pp.product_id = '$product'"
	local cli="$CLI get-product-policy $policy --product $product -o json --db $url --as $ADMIN"
	local shell json
	shell=$("$PSQL_BIN" -X -A -t -c "$sql" "$url")
	json=$($cli)
	[[ -n $shell && $json == *"\"productId\": \"$product\""* && $json == *"\"policyValue\": \"${shell##*|}\""* ]] ||
		die "commercectl printed $json, psql read '$shell'"
	compare pg-get-product-policy psql commercectl \
		commercectl "$cli" \
		psql "$PSQL_BIN -X -A -t -c \"$sql\" $url"
	pg_drop $db
}

# What the server's grants and row-level security cost (docs/SECURITY.md):
# takeover-subscription --dry-run of a self-service subscription of
# $PG_LOGIN_USERS licensed users, run through a BillingAdmin's own login,
# which every row policy of the move checks, and by a superuser acting
# --as the admin, which the server does not check. A dry run does the whole
# move and rolls it back: the runs are repeatable. The runs alternate; the
# figure is the median of the runs' ratios.
bench_pg_logins() {
	local n=$PG_LOGIN_USERS db=commercectl_bench_logins lite=$OUT/logins-$PG_LOGIN_USERS.db url login=commercectl_bench_megan
	local i k t1 t2 as_login as_super ratios=() logins=() supers=()
	echo
	echo "== PostgreSQL: takeover-subscription --dry-run of $n users through a BillingAdmin's login, against a superuser"
	url=$(pg_url $db)
	[[ -s $lite ]] || "$OUT/gentenant" tenant -users "$n" -licensed "$n" -first-sub "$n" -central "$((2 * n))" "$lite"
	pg_fresh $db
	"$CLI" --db "$lite" --as "$ADMIN" copy-tenant --to "$url" >/dev/null
	"$CLI" --db "$url" --as "$ADMIN" add-user megan.bowen@contoso.com --role BillingAdmin >/dev/null
	pg_sql "$PG" -c "SET client_min_messages = warning" -c "DROP ROLE IF EXISTS $login" -c "CREATE ROLE $login LOGIN"
	"$CLI" --db "$url" --as "$ADMIN" set-login megan.bowen@contoso.com --pg-role "$login" >/dev/null
	as_login=$(pg_url_as "$login" "$db")
	local move=(takeover-subscription SUB-0000001 --move-to-subscription SUB-CENTRAL --dry-run)
	echo "   \$ $CLI --db $as_login ${move[*]}"
	echo "   \$ $CLI --db $url --as $ADMIN ${move[*]}    (a superuser: no grant or policy checked)"
	local moved
	moved=$("$CLI" --db "$as_login" "${move[@]}" -o json --jq .usersMoved 2>/dev/null)
	[[ $moved == "$n" ]] || die "through the login, the dry run moved '$moved' users, not $n"
	for ((i = 1; i <= BULK_RUNS; i++)); do
		for k in $((i % 2)) $(((i + 1) % 2)); do
			if ((k == 1)); then
				read -r t1 _ < <(measure "$CLI" --db "$as_login" "${move[@]}")
			else
				read -r t2 _ < <(measure "$CLI" --db "$url" --as "$ADMIN" "${move[@]}")
			fi
		done
		logins+=("$t1") supers+=("$t2")
		ratios+=("$(awk -v a="$t1" -v b="$t2" 'BEGIN {printf "%.3f", a / b}')")
		echo "  run $i: through the login ${t1}s, as a superuser ${t2}s: ${ratios[-1]}x"
	done
	pg_drop $db
	pg_sql "$PG" -c "DROP ROLE IF EXISTS $login"
	echo "  median: through the login $(printf '%s\n' "${logins[@]}" | median)s, as a superuser $(printf '%s\n' "${supers[@]}" | median)s"
	echo "  RATIO login/superuser: $(printf '%s\n' "${ratios[@]}" | median) (median of the $BULK_RUNS runs' ratios)"
}

# pg_url_as LOGIN NAME is the URL of database NAME logging in as LOGIN.
pg_url_as() {
	local url
	url=$(pg_url "$2")
	echo "${url%%://*}://$1@${url#*@}"
}

# --- Delivery of the outbox ------------------------------------------------------

# send-notifications of $SEND notifications (five requests naming $SEND/5-2
# users each, declined: an e-mail to the admin, to the requester and to each
# user) to a local Mailpit, over one connection, on SQLite and, with a
# server, on PostgreSQL: messages per second, checked against what Mailpit
# holds afterwards. Each run starts from a copy of the same outbox.
bench_send_notifications() {
	local per=$((SEND / 5 - 2)) seed=$OUT/send-$SEND.db db=$OUT/send.db api smtp i t rate got engine target
	echo
	echo "== send-notifications of $SEND notifications to a local Mailpit"
	[[ -x $MAILPIT ]] || die "no Mailpit at $MAILPIT (make bench builds it)"
	if [[ ! -s $seed ]]; then
		# Built aside and renamed once whole: a run cut short leaves none.
		local part=$seed.part
		rm -f "$part" "$part-wal" "$part-shm"
		"$CLI" init --tenant Contoso --admin "$ADMIN" --demo --db "$part" >/dev/null
		{
			echo "upn,displayName,department"
			for ((i = 1; i <= 5 * per; i++)); do echo "send$i@contoso.com,Send $i,Sales"; done
		} >"$OUT/send-users.csv"
		"$CLI" --db "$part" --as "$ADMIN" import-users "$OUT/send-users.csv" >/dev/null
		local r
		for ((r = 0; r < 5; r++)); do
			# One argument is at most 128 KB: 2,000 UPNs fit.
			"$CLI" --db "$part" --as alex.wilber@contoso.com new-request --product CFQ7TTC0MM8R \
				--for "$(seq -f 'send%g@contoso.com' $((r * per + 1)) $(((r + 1) * per)) | paste -sd,)" >/dev/null
			"$CLI" --db "$part" --as "$ADMIN" deny-request $((4 + r)) --message "Not this quarter" --yes >/dev/null
		done
		[[ $("$CLI" --db "$part" --as "$ADMIN" list-notifications -o json --jq length) == "$SEND" ]] ||
			die "the outbox of $part does not hold $SEND notifications"
		mv "$part" "$seed"
	fi
	api=127.0.0.1:$((20000 + RANDOM % 10000)) smtp=127.0.0.1:$((30000 + RANDOM % 10000))
	"$MAILPIT" --listen "$api" --smtp "$smtp" --max 0 --database "$OUT/mailpit.db" --quiet --disable-version-check >/dev/null 2>&1 &
	local mp=$!
	# Stopped however the function ends (die exits the script).
	trap 'kill $mp 2>/dev/null' RETURN EXIT
	for ((i = 0; i < 100; i++)); do curl -sf "http://$api/api/v1/info" >/dev/null && break; sleep 0.1; done
	echo "   Mailpit $("$MAILPIT" version 2>/dev/null | head -1) on $smtp (--max 0, its own SQLite store)"
	echo "   \$ $CLI --db DB --as $ADMIN send-notifications --smtp smtp://$smtp --from commerce@contoso.com"
	for engine in SQLite PostgreSQL; do
		[[ $engine == PostgreSQL && -z $PG ]] && continue
		local secs=()
		for ((i = 1; i <= BULK_RUNS; i++)); do
			curl -sf -X DELETE "http://$api/api/v1/messages" >/dev/null
			if [[ $engine == SQLite ]]; then
				cp "$seed" "$db"
				rm -f "$db-wal" "$db-shm"
				target=$db
			else
				pg_fresh commercectl_bench_send
				target=$(pg_url commercectl_bench_send)
				"$CLI" --db "$seed" --as "$ADMIN" copy-tenant --to "$target" >/dev/null
			fi
			read -r t _ < <(measure "$CLI" --db "$target" --as "$ADMIN" send-notifications --smtp "smtp://$smtp" --from commerce@contoso.com)
			got=$(curl -sf "http://$api/api/v1/messages?limit=1" | sed -n 's/.*"total":\([0-9]*\).*/\1/p')
			[[ $got == "$SEND" ]] || die "Mailpit holds $got messages after the run, not $SEND"
			secs+=("$t")
			echo "  $engine run $i: ${t}s, $(awk -v n="$SEND" -v t="$t" 'BEGIN {printf "%d", n / t}') messages/s"
		done
		t=$(printf '%s\n' "${secs[@]}" | median)
		rate=$(awk -v n="$SEND" -v t="$t" 'BEGIN {printf "%d", n / t}')
		echo "  $engine median: ${t}s for $SEND messages, $rate messages/s"
		[[ $engine == PostgreSQL ]] && pg_drop commercectl_bench_send
	done
	kill $mp 2>/dev/null
	trap - EXIT
}

wants() { [[ -z $ONLY || " $ONLY " == *" $1 "* ]]; }

# wants_pg: is any PostgreSQL benchmark to run?
wants_pg() { wants pg_import_users || wants pg_export_users || wants pg_writers || wants pg_startup || wants pg_logins; }

main() {
	if wants_pg && [[ -z $PG ]]; then
		# No server given: run again under scripts/with-postgres.sh, which
		# starts a throwaway one, exports COMMERCECTL_TEST_PG, and stops it
		# at the end.
		if [[ -z ${BENCH_PG_WRAPPED:-} ]]; then
			echo "bench: no COMMERCECTL_TEST_PG: running under scripts/with-postgres.sh"
			BENCH_PG_WRAPPED=1 exec "$(dirname "$0")/with-postgres.sh" "$0" "$BIN"
		fi
		[[ -z $ONLY ]] || die "no PostgreSQL server for ${ONLY}: set COMMERCECTL_TEST_PG"
		echo "*** bench: no PostgreSQL server: the pg_* benchmarks are SKIPPED ***" >&2
	fi
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
	if wants stream_lists; then
		CGO_ENABLED=0 go build -o "$OUT/gentenant" ./internal/gentenant
		bench_stream_lists
	fi
	if wants list_conflicts; then
		CGO_ENABLED=0 go build -o "$OUT/gentenant" ./internal/gentenant
		bench_list_conflicts
	fi
	if wants send_notifications; then
		[[ -z $PG ]] || pg_setup
		bench_send_notifications
	fi
	if wants_pg && [[ -n $PG ]]; then
		CGO_ENABLED=0 go build -o "$OUT/gentenant" ./internal/gentenant
		pg_setup
		wants pg_import_users && bench_pg_import_users
		if wants pg_export_users; then
			gen_tenants
			bench_pg_export_users
		fi
		wants pg_writers && bench_pg_writers
		wants pg_startup && bench_pg_startup
		wants pg_logins && bench_pg_logins
	fi
	echo
	echo "hyperfine exports: $OUT/*-round*.json"
	exit "$FAILED"
}

main
