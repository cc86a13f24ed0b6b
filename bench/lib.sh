# Shared by the bench/ scripts (sourced). A step that fails stops the script with a message and
# prints no time: a wrk run with errors or non-2xx answers is a failure, not a figure.

# wrk_row LABEL URL TOKEN CONNS → "requests/s | p50 | p99 | non-2xx" table cells. Call it as
# `cells=$(wrk_row …)`, an assignment of its own, so that its failure stops the script (set -e).
wrk_row() {
  local label=$1 url=$2 tok=$3 conns=$4 out rps p50 p99 non2xx errs
  wrk -t2 -c"$conns" -d2s -H "Authorization: Bearer $tok" "$url" >/dev/null   # warm-up
  out=$(wrk -t2 -c"$conns" -d"${SECS}s" --latency -H "Authorization: Bearer $tok" "$url")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {n=$5} END {print n+0}' <<<"$out")
  errs=$(awk '/Socket errors/ {print}' <<<"$out")
  if [[ -z $rps || -z $p50 || $non2xx != 0 || -n $errs ]]; then
    echo "bench: FAILED: $label ($url): non-2xx $non2xx ${errs:+; $errs}" >&2
    echo "$out" >&2
    exit 1
  fi
  printf '%s | %s | %s | %s' "$rps" "$p50" "$p99" "$non2xx"
}

# ms_of 850.00us|7.46ms|1.02s → milliseconds
ms_of() {
  awk -v t="$1" 'BEGIN {
    if (t ~ /us$/) { sub(/us$/, "", t); print t / 1000 }
    else if (t ~ /ms$/) { sub(/ms$/, "", t); print t + 0 }
    else if (t ~ /m$/) { sub(/m$/, "", t); print t * 60000 }
    else { sub(/s$/, "", t); print t * 1000 } }'
}

# pg_settle DB: VACUUM (ANALYZE) a freshly loaded benchmark database as its owner, as the
# PostgreSQL manual asks after a bulk load ("Populating a Database": run ANALYZE afterwards).
# Autovacuum gets there by itself a minute or so later; measuring before it does measured the
# first reads writing hint bits and plans made without statistics (issue 18: the dashboard at
# 60-123 ms and 王 at 29 ms were that), not a county's database as it runs.
pg_settle() {
  # The owner vacuums its own tables; the catalog's shared ones it may not, and says so once per
  # table: client_min_messages keeps those warnings out of the printed results.
  PGOPTIONS='-c client_min_messages=error' PGPASSWORD=owner-test-pw "$SHUANGLIAN_TEST_PGBIN/psql" -X -q \
    -h 127.0.0.1 -p "$SHUANGLIAN_TEST_PGPORT" -U shuanglian_owner -d "$1" -c 'VACUUM (ANALYZE)' \
    || { echo "bench: FAILED: VACUUM (ANALYZE) $1" >&2; exit 1; }
}
