#!/usr/bin/env bash
# Web benchmark: the waiting list under load, on SQLite and PostgreSQL.
#
#   bench/web/run.sh
#
# Builds the release binary, then for SQLite and then PostgreSQL:
#   1. creates a fresh database with the 20,000-person demo (`corridor demo`);
#      PostgreSQL: a database corridor_bench_<pid> on $POSTGRES_URL, dropped
#      afterwards;
#   2. creates a coordinator account `bench` and an API token with
#      `corridor users add` / `corridor users token`;
#   3. starts `corridor serve`, signs in with curl for a session cookie,
#      warms up, then runs wrk (-t2 -c200 -d20s --latency) against
#        (a) `page`: the waiting-list page /people with the session cookie,
#        (b) `api`: the API /api/v1/people with `Authorization: Bearer <token>`,
#        (c) `page+changes`: (a) while a coordinator opens a person's record
#            twice a second: each opening is audited, so the registry's
#            state moves and every list kept in memory is read again,
#        (d) `api-any-page`: the API asking for a random page of all 400
#            (bench/web/random_page.lua): few answers can be kept, so this
#            shows the database's own speed; for information, not a target;
# and prints a table: backend, target, requests/s, p50, p99, errors and
# non-2xx/3xx responses, and the server's peak RSS (VmHWM), with whether
# p99 < 50 ms and peak RSS < 150 MB.
#
# Environment (all optional):
#   POSTGRES_URL   server for the PostgreSQL half, without a database name
#                  (default postgres://postgres@127.0.0.1:5432); SKIP_POSTGRES=1
#                  runs SQLite only.
#   DEMO_SIZE      waiting patients of the demo (default 20000; 100000 is
#                  five times the demo, for the server's peak RSS).
#   DURATION       wrk duration (default 20s); CONNECTIONS (default 200);
#                  THREADS (default 2); WARMUP (default 5s).
#   PORT           where the server listens (default 18080).
#   CARGO_TARGET_DIR  where the release binary is built (default target).
#
# Needs: cargo, curl, psql (for PostgreSQL), wrk (installed with apt-get
# when missing, as root). Exits non-zero on any failure, saying what failed.
set -euo pipefail
cd "$(dirname "$0")/../.."

POSTGRES_URL=${POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}
DEMO_SIZE=${DEMO_SIZE:-20000}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-200}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-5s}
PORT=${PORT:-18080}
BASE="http://127.0.0.1:$PORT"
# Not the user name, not a common password: the password policy refuses those.
PASSWORD="load-test pass phrase $(date +%s)-$$"
P99_TARGET_MS=50
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

echo "Building the release binary ..."
cargo build --release --quiet --workspace --bin corridor
CORRIDOR="${CARGO_TARGET_DIR:-target}/release/corridor"
[ -x "$CORRIDOR" ] || fail "no binary at $CORRIDOR"
if ! "$CORRIDOR" users --help > /dev/null 2>&1; then
    fail "this corridor has no 'users' command (corridor users add / corridor users token); \
the benchmark needs it to create its account and API token — merge the branch that adds it"
fi

WORK=$(mktemp -d)
SERVER_PID=""
PG_DATABASE=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2> /dev/null || true
        wait "$SERVER_PID" 2> /dev/null || true
    fi
    if [ -n "$PG_DATABASE" ]; then
        psql -q "$POSTGRES_URL/postgres" -c "DROP DATABASE IF EXISTS $PG_DATABASE WITH (FORCE)" > /dev/null || true
    fi
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

# run_wrk BACKEND TARGET PATH HEADER [WRK OPTIONS]
run_wrk() {
    local backend=$1 target=$2 path=$3 header=$4 out="$WORK/wrk-$1-$2.txt"
    shift 4
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -H "$header" "$@" "$BASE$path" > /dev/null
    echo "  $target: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency $* $BASE$path"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "$header" "$@" "$BASE$path" > "$out"
    sed 's/^/    /' "$out"
    local rps p50 p99 errors non2xx
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
    p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
    p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
    errors=$(awk '/Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' "$out")
    non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $5 }' "$out")
    # wrk counts 3xx as success; the session must not have been sent to sign-in.
    local status
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "$header" "$BASE$path")
    [ "$status" = 200 ] || fail "$backend $target answers $status after the run, not 200"
    echo "$backend $target $rps $p50 $p99 ${errors:-0} ${non2xx:-0}" >> "$RESULTS"
}

# How many person records have been opened (audited reads) so far.
audited_reads() {
    "$CORRIDOR" --database-url "$1" audit log --limit 1000000 | grep -c person.read || true
}

# bench BACKEND DATABASE_URL
bench() {
    local backend=$1 url=$2
    echo "== $backend"
    echo "  Loading the demo with $DEMO_SIZE waiting patients ..."
    "$CORRIDOR" --database-url "$url" demo --size "$DEMO_SIZE" > "$WORK/demo-$backend.log" \
        || fail "corridor demo failed on $backend (see above)"
    CORRIDOR_NEW_PASSWORD="$PASSWORD" "$CORRIDOR" --database-url "$url" \
        users add bench --role coordinator > /dev/null \
        || fail "corridor users add failed on $backend"
    local token
    token=$("$CORRIDOR" --database-url "$url" users token bench --label bench) \
        || fail "corridor users token failed on $backend"
    [ -n "$token" ] || fail "corridor users token printed no token"

    CORRIDOR_ADMIN_PASSWORD="$PASSWORD" "$CORRIDOR" --database-url "$url" \
        serve --address "127.0.0.1:$PORT" > "$WORK/serve-$backend.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 100); do
        curl -sf -o /dev/null "$BASE/sign-in" && break
        kill -0 "$SERVER_PID" 2> /dev/null || fail "corridor serve stopped: $(cat "$WORK/serve-$backend.log")"
        sleep 0.1
    done
    curl -sf -o /dev/null "$BASE/sign-in" || fail "corridor serve does not answer on $BASE"

    # Sign in through the form: the CSRF token of the form, then the post.
    local jar="$WORK/cookies-$backend" csrf cookie
    csrf=$(curl -sf -c "$jar" "$BASE/sign-in" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n 1)
    [ -n "$csrf" ] || fail "no CSRF token in the sign-in form"
    curl -sf -o /dev/null -b "$jar" -c "$jar" \
        --data-urlencode "username=bench" --data-urlencode "password=$PASSWORD" \
        --data-urlencode "csrf=$csrf" "$BASE/sign-in" || fail "sign-in as bench failed"
    cookie=$(awk '$6 == "corridor_session" { print $7 }' "$jar")
    [ -n "$cookie" ] || fail "no session cookie after signing in"
    local page
    page=$(curl -sf -H "Cookie: corridor_session=$cookie" "$BASE/people") || page=""
    [[ "$page" == *"people match"* ]] || fail "the waiting list does not open with the session cookie"
    page=$(curl -sf -H "Authorization: Bearer $token" "$BASE/api/v1/people") || page=""
    [[ "$page" == *'"rows"'* ]] || fail "the API does not answer with the token"

    run_wrk "$backend" page /people "Cookie: corridor_session=$cookie"
    run_wrk "$backend" api /api/v1/people "Authorization: Bearer $token"

    local person reads_before reads_after
    person=$(curl -sf -H "Authorization: Bearer $token" "$BASE/api/v1/people?per_page=1" \
        | sed -n 's/.*"rows":\[{"id":"\([^"]*\)".*/\1/p')
    [ -n "$person" ] || fail "no person on the waiting list to open"
    reads_before=$(audited_reads "$url")
    (
        while :; do
            curl -sf -o /dev/null -H "Cookie: corridor_session=$cookie" "$BASE/people/$person" || exit 1
            sleep 0.5
        done
    ) &
    local changes_pid=$!
    run_wrk "$backend" page+changes /people "Cookie: corridor_session=$cookie"
    kill "$changes_pid" 2> /dev/null || fail "opening $person failed during the page+changes run"
    wait "$changes_pid" 2> /dev/null || true
    reads_after=$(audited_reads "$url")
    echo "    the registry changed $((reads_after - reads_before)) times during the warm-up and the run"

    run_wrk "$backend" api-any-page /api/v1/people "Authorization: Bearer $token" -s bench/web/random_page.lua

    local peak_kb
    peak_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status")
    echo "$backend $peak_kb" >> "$WORK/rss"
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2> /dev/null || true
    SERVER_PID=""
}

bench SQLite "sqlite://$WORK/bench.db"

if [ "${SKIP_POSTGRES:-0}" != 1 ]; then
    command -v psql > /dev/null || fail "psql is missing (or set SKIP_POSTGRES=1)"
    PG_DATABASE="corridor_bench_$$"
    psql -q "$POSTGRES_URL/postgres" -c "CREATE DATABASE $PG_DATABASE" > /dev/null \
        || fail "cannot create $PG_DATABASE on $POSTGRES_URL"
    bench PostgreSQL "$POSTGRES_URL/$PG_DATABASE"
fi

echo
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency; peak RSS is the server's VmHWM over both runs of its backend"
printf '%-11s %-13s %10s %9s %9s %14s %9s %13s %13s\n' \
    backend target "req/s" "p50 ms" "p99 ms" "errors/non-2xx" "RSS MB" "p99<${P99_TARGET_MS}ms" "RSS<${RSS_TARGET_MB}MB"
while read -r backend target rps p50 p99 errors non2xx; do
    peak_kb=$(awk -v b="$backend" '$1 == b { print $2 }' "$WORK/rss")
    rss_mb=$(awk -v kb="$peak_kb" 'BEGIN { printf "%.1f", kb / 1024 }')
    # Timed-out requests are not in wrk's latency distribution: any error fails the target.
    p99_ok=$(awk -v p="$p99" -v t="$P99_TARGET_MS" -v e="$errors" -v n="$non2xx" \
        'BEGIN { print (p ~ /^[0-9.]+$/ && p + 0 > 0 && p + 0 < t && e + 0 == 0 && n + 0 == 0) ? "yes" : "no" }')
    [ "$target" = api-any-page ] && p99_ok="(info)"
    rss_ok=$(awk -v m="$rss_mb" -v t="$RSS_TARGET_MB" 'BEGIN { print (m + 0 < t) ? "yes" : "no" }')
    printf '%-11s %-13s %10s %9s %9s %14s %9s %13s %13s\n' \
        "$backend" "$target" "$rps" "$p50" "$p99" "$errors/$non2xx" "$rss_mb" "$p99_ok" "$rss_ok"
done < "$RESULTS"
