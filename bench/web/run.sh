#!/usr/bin/env bash
# Web benchmark: the waiting list under load, on SQLite and PostgreSQL.
#
#   bench/web/run.sh
#   BEFORE=/tmp/corridor-before bench/web/run.sh   # before and after, back to back
#
# Builds the release binary, then for SQLite and then PostgreSQL:
#   1. creates a fresh database with the 20,000-person demo (`corridor demo`);
#      PostgreSQL: a database corridor_bench_<pid>_<variant> on $POSTGRES_URL,
#      dropped afterwards;
#   2. creates a coordinator account `bench` and an API token with
#      `corridor users add` / `corridor users token`;
#   3. starts `corridor serve`, signs in with curl for a session cookie, reads
#      the list through the API to know its pages, the places of its rows
#      (`tier~referral date~id`, the cursors of `after`/`before`) and search
#      terms that find someone (ids, parts of ids, given names, full names),
#      then runs wrk (-t2 -c200 -d20s --latency, after a warm-up) against
#        (a) `page`, `api`: the first page of /people (session cookie) and of
#            /api/v1/people (`Authorization: Bearer <token>`);
#        (b) `page-any`, `api-any`: a random page by number, `page=N`
#            (bench/web/random_page.lua): most pages are deep;
#        (c) `page-keyset`, `api-keyset`: the page after or before a random
#            row (bench/web/random_keyset.lua), as the next/previous links;
#        (d) `page+changes`: (b) on /people while, twice a second, a
#            coordinator registers a patient through the API and opens a
#            person's record (an audited read): the registry's state moves
#            and the lists change under the readers;
#        (e) `page-search`, `api-search`: `?q=` with a random term
#            (bench/web/search.lua), with SEARCH_CONNECTIONS connections;
# and prints a table: backend, variant, scenario, requests/s, p50, p99,
# errors and non-2xx/3xx responses, the server's peak RSS (VmHWM over all
# its scenarios) and whether the targets hold: p99 < 50 ms for (a)-(d),
# p50 < 100 ms for (e), any error failing the target; peak RSS < 150 MB
# (the target is at DEMO_SIZE=100000, five times the demo).
#
# With BEFORE set to another corridor binary (e.g. built from main in a
# worktree), each backend gets two servers on two databases, `before` (that
# binary) and `after` (this build), and each scenario runs against one then
# the other, back to back, so that both see the same machine state; a
# second table gives after/before ratios of p50 and p99. On a busy machine
# (2 cores, builds beside) the ratios say more than the absolute figures.
#
# Environment (all optional):
#   POSTGRES_URL   server for the PostgreSQL half, without a database name
#                  (default postgres://postgres@127.0.0.1:5432); SKIP_POSTGRES=1
#                  runs SQLite only.
#   DEMO_SIZE      waiting patients of the demo (default 20000; 100000 is
#                  five times the demo, for the server's peak RSS).
#   DURATION       wrk duration (default 20s); CONNECTIONS (default 200);
#                  SEARCH_CONNECTIONS (default CONNECTIONS); THREADS
#                  (default 2); WARMUP (default 5s).
#   SCENARIOS      the scenarios to run, separated by spaces (default all).
#   BEFORE         a corridor binary to compare with (see above).
#   PORT           where the first server listens (default 18080; the
#                  second takes the next port).
#   CARGO_TARGET_DIR  where the release binary is built (default target).
#
# Needs: cargo, curl, jq, psql (for PostgreSQL), wrk (installed with apt-get
# when missing, as root). Exits non-zero on any failure, saying what failed.
set -euo pipefail
cd "$(dirname "$0")/../.."

POSTGRES_URL=${POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}
DEMO_SIZE=${DEMO_SIZE:-20000}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-200}
SEARCH_CONNECTIONS=${SEARCH_CONNECTIONS:-$CONNECTIONS}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-5s}
PORT=${PORT:-18080}
ALL_SCENARIOS="page api page-any api-any page-keyset api-keyset page+changes page-search api-search"
SCENARIOS=${SCENARIOS:-$ALL_SCENARIOS}
# Not the user name, not a common password: the password policy refuses those.
PASSWORD="load-test pass phrase $(date +%s)-$$"
P99_TARGET_MS=50
SEARCH_P50_TARGET_MS=100
RSS_TARGET_MB=150

fail() {
    echo "bench/web/run.sh: $*" >&2
    exit 1
}

if ! command -v wrk > /dev/null; then
    echo "Installing wrk (Debian package) ..."
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk > /dev/null \
        || fail "wrk is missing and apt-get could not install it; install the Debian package wrk"
fi
command -v curl > /dev/null || fail "curl is missing"
command -v jq > /dev/null || fail "jq is missing (Debian package jq)"
for scenario in $SCENARIOS; do
    [[ " $ALL_SCENARIOS " == *" $scenario "* ]] || fail "unknown scenario '$scenario'; known: $ALL_SCENARIOS"
done

echo "Building the release binary ..."
cargo build --release --quiet --workspace --bin corridor
CORRIDOR="${CARGO_TARGET_DIR:-target}/release/corridor"
[ -x "$CORRIDOR" ] || fail "no binary at $CORRIDOR"

# The variants compared: a name and a binary each.
declare -A BINARY
if [ -n "${BEFORE:-}" ]; then
    [ -x "$BEFORE" ] || fail "BEFORE=$BEFORE is not an executable"
    VARIANTS="before after"
    BINARY[before]=$BEFORE
    BINARY[after]=$CORRIDOR
else
    VARIANTS="this"
    BINARY[this]=$CORRIDOR
fi
for variant in $VARIANTS; do
    if ! "${BINARY[$variant]}" users --help > /dev/null 2>&1; then
        fail "${BINARY[$variant]} has no 'users' command (corridor users add / corridor users token); \
the benchmark needs it to create its account and API token"
    fi
done

WORK=$(mktemp -d)
declare -A SERVER_PID URL BASE COOKIE TOKEN
PG_DATABASES=""
cleanup() {
    local pid database
    for pid in "${SERVER_PID[@]}"; do
        kill "$pid" 2> /dev/null || true
        wait "$pid" 2> /dev/null || true
    done
    for database in $PG_DATABASES; do
        psql -q "$POSTGRES_URL/postgres" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" > /dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

# wrk's latency (e.g. 812.00us, 12.34ms, 1.02s, 2.00m) in milliseconds.
to_ms() {
    awk -v value="$1" 'BEGIN {
        number = value + 0; unit = value; sub(/^[0-9.]+/, "", unit);
        factor = (unit == "us") ? 0.001 : (unit == "ms") ? 1 : (unit == "s") ? 1000 : (unit == "m") ? 60000 : -1;
        if (factor < 0) { print "?"; exit }
        printf "%.2f", number * factor }'
}

RESULTS="$WORK/results"
: > "$RESULTS"

# run_wrk BACKEND VARIANT SCENARIO CONNECTIONS PATH HEADER [WRK OPTIONS]
run_wrk() {
    local backend=$1 variant=$2 scenario=$3 connections=$4 path=$5 header=$6
    local base=${BASE[$variant]} out="$WORK/wrk-$1-$2-$3.txt"
    shift 6
    wrk -t"$THREADS" -c"$connections" -d"$WARMUP" -H "$header" "$@" "$base$path" > /dev/null
    echo "  $scenario ($variant): wrk -t$THREADS -c$connections -d$DURATION --latency $* $base$path"
    wrk -t"$THREADS" -c"$connections" -d"$DURATION" --latency -H "$header" "$@" "$base$path" > "$out"
    sed 's/^/    /' "$out"
    local rps p50 p99 errors non2xx
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
    p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
    p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
    errors=$(awk '/Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' "$out")
    non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $5 }' "$out")
    # wrk counts 3xx as success; the session must not have been sent to sign-in.
    local status
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "$header" "$base$path")
    [ "$status" = 200 ] || fail "$backend $variant $scenario answers $status after the run, not 200"
    echo "$backend $variant $scenario $rps $p50 $p99 ${errors:-0} ${non2xx:-0}" >> "$RESULTS"
}

# How many person records have been opened (audited reads) so far.
audited_reads() {
    "${BINARY[$1]}" --database-url "${URL[$1]}" audit log --limit 1000000 | grep -c person.read || true
}

# start BACKEND VARIANT DATABASE_URL PORT: loads the demo and starts a server.
start() {
    local backend=$1 variant=$2 url=$3 port=$4 corridor=${BINARY[$2]}
    local base="http://127.0.0.1:$port"
    URL[$variant]=$url
    BASE[$variant]=$base
    echo "  $variant: loading the demo with $DEMO_SIZE waiting patients ($corridor) ..."
    "$corridor" --database-url "$url" demo --size "$DEMO_SIZE" > "$WORK/demo-$backend-$variant.log" \
        || fail "corridor demo failed on $backend ($variant)"
    CORRIDOR_NEW_PASSWORD="$PASSWORD" "$corridor" --database-url "$url" \
        users add bench --role coordinator > /dev/null \
        || fail "corridor users add failed on $backend ($variant)"
    local token
    token=$("$corridor" --database-url "$url" users token bench --label bench) \
        || fail "corridor users token failed on $backend ($variant)"
    [ -n "$token" ] || fail "corridor users token printed no token"
    TOKEN[$variant]=$token

    CORRIDOR_ADMIN_PASSWORD="$PASSWORD" "$corridor" --database-url "$url" \
        serve --address "127.0.0.1:$port" > "$WORK/serve-$backend-$variant.log" 2>&1 &
    SERVER_PID[$variant]=$!
    for _ in $(seq 1 100); do
        curl -sf -o /dev/null "$base/sign-in" && break
        kill -0 "${SERVER_PID[$variant]}" 2> /dev/null \
            || fail "corridor serve stopped: $(cat "$WORK/serve-$backend-$variant.log")"
        sleep 0.1
    done
    curl -sf -o /dev/null "$base/sign-in" || fail "corridor serve does not answer on $base"

    # Sign in through the form: the CSRF token of the form, then the post.
    local jar="$WORK/cookies-$backend-$variant" csrf cookie
    csrf=$(curl -sf -c "$jar" "$base/sign-in" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n 1)
    [ -n "$csrf" ] || fail "no CSRF token in the sign-in form"
    curl -sf -o /dev/null -b "$jar" -c "$jar" \
        --data-urlencode "username=bench" --data-urlencode "password=$PASSWORD" \
        --data-urlencode "csrf=$csrf" "$base/sign-in" || fail "sign-in as bench failed"
    cookie=$(awk '$6 == "corridor_session" { print $7 }' "$jar")
    [ -n "$cookie" ] || fail "no session cookie after signing in"
    COOKIE[$variant]="Cookie: corridor_session=$cookie"
    local page
    page=$(curl -sf -H "${COOKIE[$variant]}" "$base/people") || page=""
    [[ "$page" == *"people match"* ]] || fail "the waiting list does not open with the session cookie"
    page=$(curl -sf -H "Authorization: Bearer $token" "$base/api/v1/people") || page=""
    [[ "$page" == *'"rows"'* ]] || fail "the API does not answer with the token"

    # The whole list, 500 rows a page: its pages of 50, the places of its
    # rows and search terms.
    local auth="Authorization: Bearer $token" pages rows="$WORK/rows-$backend-$variant.json"
    PAGES=$(curl -sf -H "$auth" "$base/api/v1/people" | jq -r .pages)
    pages=$(curl -sf -H "$auth" "$base/api/v1/people?per_page=500" | jq -r .pages)
    : > "$rows"
    for n in $(seq 1 "$pages"); do
        curl -sf -H "$auth" "$base/api/v1/people?per_page=500&page=$n" | jq -c '.rows[]' >> "$rows" \
            || fail "reading page $n of the list failed"
    done
    jq -r '"\(.tier // "none")~\(.referral_date // "none")~\(.id)"' "$rows" \
        > "$WORK/cursors-$backend-$variant"
    # Search terms that find someone: an id, the end of an id, a given name,
    # a full name; 2,000 of them, the same ones on every run.
    jq -r '.id, (.id | .[-4:]), (.name // empty | split(" ")[0]), (.name // empty)' "$rows" \
        | shuf -n 2000 --random-source=<(yes) > "$WORK/terms-$backend-$variant"
    [ -s "$WORK/cursors-$backend-$variant" ] || fail "no rows on the list"
    echo "    $PAGES pages of 50, $(wc -l < "$WORK/cursors-$backend-$variant") rows"
}

# changes VARIANT: twice a second, registers a patient and opens a record.
changes() {
    local variant=$1 base=${BASE[$1]} auth="Authorization: Bearer ${TOKEN[$1]}" person
    person=$(head -n 1 "$WORK/cursors-$backend-$variant" | sed 's/.*~//')
    while :; do
        curl -sf -o /dev/null -H "$auth" -H 'Content-Type: application/json' \
            --data '{"birth_year":"1970","sex":"female","condition":"cancer","specialty":"oncology","tier":"urgent","referring_facility":"european-gaza-hospital","legal_basis":"consent"}' \
            "$base/api/v1/people" || exit 1
        sleep 0.25
        curl -sf -o /dev/null -H "${COOKIE[$variant]}" "$base/people/$person" || exit 1
        sleep 0.25
    done
}

# scenario BACKEND VARIANT SCENARIO
scenario() {
    local backend=$1 variant=$2 name=$3
    local page="${COOKIE[$variant]}" api="Authorization: Bearer ${TOKEN[$variant]}"
    local cursors="$WORK/cursors-$backend-$variant" terms="$WORK/terms-$backend-$variant"
    case $name in
        page) run_wrk "$backend" "$variant" "$name" "$CONNECTIONS" /people "$page" ;;
        api) run_wrk "$backend" "$variant" "$name" "$CONNECTIONS" /api/v1/people "$api" ;;
        page-any)
            PAGES=$PAGES run_wrk "$backend" "$variant" "$name" "$CONNECTIONS" /people "$page" \
                -s bench/web/random_page.lua
            ;;
        api-any)
            PAGES=$PAGES run_wrk "$backend" "$variant" "$name" "$CONNECTIONS" /api/v1/people "$api" \
                -s bench/web/random_page.lua
            ;;
        page-keyset)
            CURSORS=$cursors run_wrk "$backend" "$variant" "$name" "$CONNECTIONS" /people "$page" \
                -s bench/web/random_keyset.lua
            ;;
        api-keyset)
            CURSORS=$cursors run_wrk "$backend" "$variant" "$name" "$CONNECTIONS" /api/v1/people "$api" \
                -s bench/web/random_keyset.lua
            ;;
        page+changes)
            local reads_before reads_after
            reads_before=$(audited_reads "$variant")
            changes "$variant" &
            local changes_pid=$!
            PAGES=$PAGES run_wrk "$backend" "$variant" "$name" "$CONNECTIONS" /people "$page" \
                -s bench/web/random_page.lua
            kill "$changes_pid" 2> /dev/null || fail "a change failed during the page+changes run"
            wait "$changes_pid" 2> /dev/null || true
            reads_after=$(audited_reads "$variant")
            echo "    the registry changed about $((2 * (reads_after - reads_before))) times during the warm-up and the run"
            ;;
        page-search)
            TERMS=$terms run_wrk "$backend" "$variant" "$name" "$SEARCH_CONNECTIONS" /people "$page" \
                -s bench/web/search.lua
            ;;
        api-search)
            TERMS=$terms run_wrk "$backend" "$variant" "$name" "$SEARCH_CONNECTIONS" /api/v1/people "$api" \
                -s bench/web/search.lua
            ;;
    esac
}

# bench BACKEND URL_OF_VARIANT...: the servers of every variant, then each
# scenario on each of them in turn.
bench() {
    local backend=$1 port=$PORT variant
    shift
    echo "== $backend"
    for variant in $VARIANTS; do
        start "$backend" "$variant" "$1" "$port"
        shift
        port=$((port + 1))
    done
    for name in $SCENARIOS; do
        for variant in $VARIANTS; do
            scenario "$backend" "$variant" "$name"
        done
    done
    for variant in $VARIANTS; do
        local peak_kb
        peak_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/${SERVER_PID[$variant]}/status")
        echo "$backend $variant $peak_kb" >> "$WORK/rss"
        kill "${SERVER_PID[$variant]}"
        wait "${SERVER_PID[$variant]}" 2> /dev/null || true
        unset "SERVER_PID[$variant]"
    done
}

echo "Load before: $(uptime)"
urls=()
for variant in $VARIANTS; do
    urls+=("sqlite://$WORK/bench-$variant.db")
done
bench SQLite "${urls[@]}"

if [ "${SKIP_POSTGRES:-0}" != 1 ]; then
    command -v psql > /dev/null || fail "psql is missing (or set SKIP_POSTGRES=1)"
    urls=()
    for variant in $VARIANTS; do
        database="corridor_bench_$$_$variant"
        PG_DATABASES="$PG_DATABASES $database"
        psql -q "$POSTGRES_URL/postgres" -c "CREATE DATABASE $database" > /dev/null \
            || fail "cannot create $database on $POSTGRES_URL"
        urls+=("$POSTGRES_URL/$database")
    done
    bench PostgreSQL "${urls[@]}"
fi
echo "Load after: $(uptime)"

echo
echo "wrk -t$THREADS -c$CONNECTIONS (searches -c$SEARCH_CONNECTIONS) -d$DURATION --latency; DEMO_SIZE=$DEMO_SIZE;" \
    "peak RSS is the server's VmHWM over all its scenarios (target at DEMO_SIZE=100000)"
printf '%-11s %-7s %-13s %9s %9s %9s %14s %8s %-16s %-9s\n' \
    backend variant scenario "req/s" "p50 ms" "p99 ms" "errors/non-2xx" "RSS MB" target met
while read -r backend variant name rps p50 p99 errors non2xx; do
    peak_kb=$(awk -v b="$backend" -v v="$variant" '$1 == b && $2 == v { print $3 }' "$WORK/rss")
    rss_mb=$(awk -v kb="$peak_kb" 'BEGIN { printf "%.1f", kb / 1024 }')
    # Timed-out requests are not in wrk's latency distribution: any error fails the target.
    case $name in
        *-search) target="p50<${SEARCH_P50_TARGET_MS}ms" measured=$p50 limit=$SEARCH_P50_TARGET_MS ;;
        *) target="p99<${P99_TARGET_MS}ms" measured=$p99 limit=$P99_TARGET_MS ;;
    esac
    met=$(awk -v p="$measured" -v t="$limit" -v e="$errors" -v n="$non2xx" \
        'BEGIN { print (p ~ /^[0-9.]+$/ && p + 0 > 0 && p + 0 < t && e + 0 == 0 && n + 0 == 0) ? "yes" : "no" }')
    printf '%-11s %-7s %-13s %9s %9s %9s %14s %8s %-16s %-9s\n' \
        "$backend" "$variant" "$name" "$rps" "$p50" "$p99" "$errors/$non2xx" "$rss_mb" "$target" "$met"
done < "$RESULTS"
echo
printf '%-11s %-7s %9s %-9s\n' backend variant "RSS MB" "RSS<${RSS_TARGET_MB}MB"
while read -r backend variant peak_kb; do
    rss_mb=$(awk -v kb="$peak_kb" 'BEGIN { printf "%.1f", kb / 1024 }')
    rss_ok=$(awk -v m="$rss_mb" -v t="$RSS_TARGET_MB" 'BEGIN { print (m + 0 < t) ? "yes" : "no" }')
    printf '%-11s %-7s %9s %-9s\n' "$backend" "$variant" "$rss_mb" "$rss_ok"
done < "$WORK/rss"

if [ -n "${BEFORE:-}" ]; then
    echo
    echo "after/before (latencies below 1: faster after; '-' where a run had errors, e.g. timeouts,"
    echo "whose requests wrk leaves out of its latencies)"
    printf '%-11s %-13s %10s %10s %10s\n' backend scenario "req/s" "p50" "p99"
    awk 'function ratio(a, b, fails) { return (fails || b + 0 <= 0) ? "-" : sprintf("%.2f", a / b) }
         $2 == "before" { k = $1 " " $3; rps[k] = $4; p50[k] = $5; p99[k] = $6; failed[k] = ($7 + $8 > 0) }
         $2 == "after" && ($1 " " $3) in p50 {
             k = $1 " " $3; fails = failed[k] || ($7 + $8 > 0)
             printf "%-11s %-13s %10s %10s %10s\n", $1, $3,
                 ratio($4, rps[k], 0), ratio($5, p50[k], fails), ratio($6, p99[k], fails)
         }' "$RESULTS"
fi
