#!/usr/bin/env bash
# MariaDB -> PostgreSQL data migration throughput against pgloader and the raw pipeline, in one run
# on one machine.
#   bench/migrate.sh [ROWS]      (default 3000000 rows over four tables; the source is kept and reused)
# Builds the MariaDB database bench_src of realistic, poorly compressible data (customers, orders,
# order lines, documents with blobs; non-ASCII and 4-byte text, JSON, enums, decimals, datetime(6),
# ON UPDATE timestamps, unsigned keys, NULLs, secondary indexes, foreign keys), then times:
#   (a) pgloader into bench_pgloader                                      the reference tool
#   (b) mariadb --raw | psql \copy per table into bench_raw, then the secondary indexes and foreign
#       keys                                                               the raw engine limit
#   (c) SELECT count(*) of every table on MariaDB and on bench_pgloader     what verification costs at least
#       (once, then BENCH_COUNT_PASSES times in a row for their mean)
#   (d) the migrate-data runbook end to end into bench_ours, split into copy and verification
# Environment: BENCH_RUNS (default 1, keeps the best), BENCH_OURS (default 1; 0 skips (d)),
# BENCH_RAW_PARALLEL (tables copied at once by (b), default 2, the runbook's parallelism),
# BENCH_COUNT_PASSES (passes of (c) timed back to back after the single one, default 5).
set -euo pipefail

cd "$(dirname "$0")/.."
ROWS="${1:-3000000}"
RUNS="${BENCH_RUNS:-1}"
OURS="${BENCH_OURS:-1}"
RAW_PARALLEL="${BENCH_RAW_PARALLEL:-2}"
COUNT_PASSES="${BENCH_COUNT_PASSES:-5}"
SRC=bench_src
TABLES=(customers orders order_lines documents)

# shellcheck source=bench/migrate-lib.sh
source bench/migrate-lib.sh
need_packages pgloader jq

# Shares of ROWS: customers 10 %, orders 40 %, order lines 45 %, documents the rest.
N_CUSTOMERS=$((ROWS / 10))
N_ORDERS=$((ROWS * 40 / 100))
N_LINES=$((ROWS * 45 / 100))
N_DOCUMENTS=$((ROWS - N_CUSTOMERS - N_ORDERS - N_LINES))
BATCH=100000
# Written last, so an interrupted build is never taken for a finished one.
MARK="bench_src v1 rows=$ROWS"

# The binary log is on (as on a production source); the build stays out of it.
SESSION="SET SESSION sql_log_bin = 0, foreign_key_checks = 0, unique_checks = 0, time_zone = '+00:00';"

create_source() {
  my_ -e "DROP DATABASE IF EXISTS $SRC; CREATE DATABASE $SRC CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
  my_ "$SRC" <<'SQL'
CREATE TABLE customers (
  id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email varchar(190) NOT NULL,
  full_name varchar(120) NOT NULL,
  country char(2) NOT NULL,
  tier enum('free','pro','enterprise') NOT NULL DEFAULT 'free',
  is_active tinyint(1) NOT NULL DEFAULT 1,
  credit_limit decimal(12,2) DEFAULT NULL,
  birth_date date DEFAULT NULL,
  profile json DEFAULT NULL,
  notes text DEFAULT NULL,
  created_at datetime(6) NOT NULL,
  updated_at timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp(),
  UNIQUE KEY uq_customers_email (email),
  KEY ix_customers_country_tier (country, tier),
  KEY ix_customers_created (created_at)
) ENGINE=InnoDB;
CREATE TABLE orders (
  id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id int unsigned NOT NULL,
  status enum('pending','paid','shipped','delivered','cancelled','refunded') NOT NULL,
  currency char(3) NOT NULL,
  total decimal(12,2) NOT NULL,
  tax decimal(12,2) DEFAULT NULL,
  is_gift tinyint(1) NOT NULL DEFAULT 0,
  item_count smallint unsigned NOT NULL,
  shipping_address varchar(255) DEFAULT NULL,
  placed_at datetime(6) NOT NULL,
  shipped_at datetime(6) DEFAULT NULL,
  updated_at timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp(),
  KEY ix_orders_customer (customer_id),
  KEY ix_orders_status_placed (status, placed_at),
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB;
CREATE TABLE order_lines (
  id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id bigint NOT NULL,
  line_no tinyint unsigned NOT NULL,
  sku varchar(32) NOT NULL,
  description varchar(255) NOT NULL,
  quantity int NOT NULL,
  unit_price decimal(12,2) NOT NULL,
  discount_pct decimal(5,2) DEFAULT NULL,
  attributes json DEFAULT NULL,
  KEY ix_order_lines_order (order_id),
  KEY ix_order_lines_sku (sku),
  CONSTRAINT fk_order_lines_order FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE=InnoDB;
CREATE TABLE documents (
  id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id bigint DEFAULT NULL,
  file_name varchar(255) NOT NULL,
  mime_type varchar(100) NOT NULL,
  sha256 varbinary(32) NOT NULL,
  size_bytes int unsigned NOT NULL,
  content mediumblob NOT NULL,
  uploaded_at datetime(6) NOT NULL,
  KEY ix_documents_order (order_id)
) ENGINE=InnoDB;
SQL
}

# One INSERT ... SELECT per batch from the SEQUENCE engine; @base is the id before the batch and
# the generated ids are explicit, so the foreign keys below can point at 1..@nc and 1..@no.
# Some text carries tabs, CR/LF (TO_BASE64 breaks lines every 76 characters) and backslashes.
fill() { # table count
  local table="$1" count="$2" base=0 n template
  template="$(sed -n "/^-- $table\$/,/^-- end\$/p" <<'SQL'
-- customers
INSERT INTO customers (id, email, full_name, country, tier, is_active, credit_limit, birth_date,
                       profile, notes, created_at, updated_at)
SELECT @base + seq,
  CONCAT('user', @base + seq, '.', LOWER(HEX(RANDOM_BYTES(3))), '@',
         ELT(1 + seq % 5, 'example.com', 'mail.example.org', 'correo.example.es', 'post.example.de', 'bücher.example')),
  CONCAT(ELT(1 + seq % 12, 'José', 'Zoë', 'Łukasz', 'Søren', 'François', 'Ελένη', 'Дмитрий', '李伟', 'さくら',
             'Ahmed', 'Chloé', 'Ñuño'), ' ',
         ELT(1 + FLOOR(RAND() * 10), 'Müller', 'García', 'Nørgaard', 'O''Brien', 'Kowalczyk', 'Ødegård', '王',
             'Παπαδόπουλος', 'Smith 🚀', 'Dubois 😀'), ' ', LOWER(HEX(RANDOM_BYTES(2)))),
  ELT(1 + FLOOR(RAND() * 8), 'US', 'DE', 'FR', 'ES', 'PL', 'JP', 'CN', 'BR'),
  ELT(1 + FLOOR(POW(RAND(), 2) * 3), 'free', 'pro', 'enterprise'),
  RAND() < 0.9,
  IF(RAND() < 0.2, NULL, ROUND(RAND() * 50000, 2)),
  IF(RAND() < 0.3, NULL, DATE '1950-01-01' + INTERVAL FLOOR(RAND() * 20000) DAY),
  IF(RAND() < 0.1, NULL,
     JSON_OBJECT('newsletter', RAND() < 0.5, 'language', ELT(1 + FLOOR(RAND() * 4), 'en', 'de', 'fr', 'ja'),
                 'tags', JSON_ARRAY(LOWER(HEX(RANDOM_BYTES(3))), 'vip ⭐'), 'score', ROUND(RAND() * 100, 3),
                 'bio', TO_BASE64(RANDOM_BYTES(48 + FLOOR(RAND() * 48))),
                 'quote', 'said "hi"\tthen left\\')),
  IF(RAND() < 0.4, NULL,
     CONCAT('Line 1 – ', TO_BASE64(RANDOM_BYTES(60 + FLOOR(RAND() * 120))),
            IF(seq % 7 = 0, '\tC:\\Users\\temp\r\nend 🎉', ''))),
  TIMESTAMP '2018-01-01 00:00:00' + INTERVAL FLOOR(RAND() * 200000000) SECOND
    + INTERVAL FLOOR(RAND() * 1000000) MICROSECOND,
  FROM_UNIXTIME(1640995200 + FLOOR(RAND() * 60000000))
FROM SEQUENCE_TABLE;
-- end
-- orders
INSERT INTO orders (id, customer_id, status, currency, total, tax, is_gift, item_count, shipping_address,
                    placed_at, shipped_at, updated_at)
SELECT @base + seq,
  1 + FLOOR(RAND() * @nc),
  ELT(1 + FLOOR(RAND() * 6), 'pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded'),
  ELT(1 + FLOOR(RAND() * 4), 'EUR', 'USD', 'GBP', 'JPY'),
  ROUND(RAND() * 5000, 2),
  IF(RAND() < 0.15, NULL, ROUND(RAND() * 900, 2)),
  RAND() < 0.05,
  1 + FLOOR(RAND() * 20),
  IF(RAND() < 0.3, NULL,
     CONCAT(FLOOR(RAND() * 9999), ' ', ELT(1 + FLOOR(RAND() * 6), 'Hauptstraße', 'Rue de l''Église',
            'Calle Año Nuevo', 'ul. Żółkiewskiego', '中山路', 'Main St'), ', ', LOWER(HEX(RANDOM_BYTES(8))))),
  @t := TIMESTAMP '2021-01-01 00:00:00' + INTERVAL FLOOR(RAND() * 100000000) SECOND
    + INTERVAL FLOOR(RAND() * 1000000) MICROSECOND,
  IF(RAND() < 0.4, NULL, @t + INTERVAL FLOOR(RAND() * 1000000) SECOND),
  FROM_UNIXTIME(1640995200 + FLOOR(RAND() * 60000000))
FROM SEQUENCE_TABLE;
-- end
-- order_lines
INSERT INTO order_lines (id, order_id, line_no, sku, description, quantity, unit_price, discount_pct, attributes)
SELECT @base + seq,
  1 + FLOOR((@base + seq - 1) * @no / @nl),
  1 + seq % 4,
  CONCAT('SKU-', LPAD(FLOOR(RAND() * 50000), 6, '0')),
  CONCAT(ELT(1 + FLOOR(RAND() * 8), 'Café crème 250 g', 'Größe XL – T-Shirt', 'Smörgåsbord tray',
             'Ручка шариковая', '抹茶 Matcha', 'Piña colada mix 🍹', 'Crème brûlée set', 'Kärcher filter'),
         ' ', TO_BASE64(RANDOM_BYTES(18 + FLOOR(RAND() * 30)))),
  1 + FLOOR(POW(RAND(), 3) * 50),
  ROUND(0.5 + RAND() * 500, 2),
  IF(RAND() < 0.7, NULL, ROUND(RAND() * 40, 2)),
  IF(RAND() < 0.5, NULL,
     JSON_OBJECT('color', ELT(1 + FLOOR(RAND() * 4), 'red', 'grün', 'bleu', '黒'),
                 'size', ELT(1 + FLOOR(RAND() * 4), 'S', 'M', 'L', 'XL'), 'gift_wrap', RAND() < 0.1,
                 'note', CONCAT('naïve ', LOWER(HEX(RANDOM_BYTES(8))))))
FROM SEQUENCE_TABLE;
-- end
-- documents
INSERT INTO documents (id, order_id, file_name, mime_type, content, sha256, size_bytes, uploaded_at)
SELECT @base + seq,
  IF(RAND() < 0.1, NULL, 1 + FLOOR(RAND() * @no)),
  CONCAT(ELT(1 + FLOOR(RAND() * 5), 'invoice', 'Rechnung', 'facture', 'recibo', '領収書'), '-', @base + seq,
         '.', ELT(1 + (@k := FLOOR(RAND() * 3)), 'pdf', 'png', 'jpg')),
  ELT(1 + @k, 'application/pdf', 'image/png', 'image/jpeg'),
  @c := IF(RAND() < 0.01,
           CONCAT(RANDOM_BYTES(1024), RANDOM_BYTES(1024), RANDOM_BYTES(1024), RANDOM_BYTES(1024),
                  RANDOM_BYTES(1024), RANDOM_BYTES(1024), RANDOM_BYTES(1024), RANDOM_BYTES(1024)),
           LEFT(CONCAT(RANDOM_BYTES(1024), RANDOM_BYTES(1024)), 200 + FLOOR(RAND() * 1000))),
  UNHEX(SHA2(@c, 256)),
  LENGTH(@c),
  TIMESTAMP '2021-01-01 00:00:00' + INTERVAL FLOOR(RAND() * 100000000) SECOND
    + INTERVAL FLOOR(RAND() * 1000000) MICROSECOND
FROM SEQUENCE_TABLE;
-- end
SQL
)"
  while ((base < count)); do
    n=$((count - base < BATCH ? count - base : BATCH))
    printf '%s SET @base = %d, @nc = %d, @no = %d, @nl = %d;\n%s\n' "$SESSION" "$base" "$N_CUSTOMERS" "$N_ORDERS" \
      "$N_LINES" "${template//SEQUENCE_TABLE/seq_1_to_$n}"
    base=$((base + n))
  done | my_ "$SRC"
}

current_mark() {
  my_ -e "SELECT table_comment FROM information_schema.tables WHERE table_schema = '$SRC' AND table_name = 'customers'"
}
if [[ "$(current_mark)" != "$MARK" ]]; then
  echo "building MariaDB $SRC with $ROWS rows (customers $N_CUSTOMERS, orders $N_ORDERS, order_lines $N_LINES, documents $N_DOCUMENTS)..."
  build_start="$(now)"
  create_source
  fill customers "$N_CUSTOMERS"
  fill orders "$N_ORDERS"
  fill order_lines "$N_LINES"
  fill documents "$N_DOCUMENTS"
  # Fresh statistics: data_length below is the size the throughputs are given in.
  my_ "$SRC" -e "ANALYZE TABLE $(IFS=,; echo "${TABLES[*]}")" >/dev/null
  my_ "$SRC" -e "ALTER TABLE customers COMMENT = '$MARK'"
  printf 'built in %.0f s\n' "$(calc "$(now) - $build_start")"
fi
read -r SRC_BYTES SRC_INDEX_BYTES < <(my_ -e "SELECT SUM(data_length), SUM(index_length)
  FROM information_schema.tables WHERE table_schema = '$SRC'")
# Counted, not information_schema's table_rows, which InnoDB only estimates.
SRC_ROWS="$(my_ "$SRC" -e "SELECT $(printf '(SELECT COUNT(*) FROM %s) + ' "${TABLES[@]}") 0")"
MB="$(calc "$SRC_BYTES / 1000000")"
printf 'MariaDB %s: %d rows, data %.0f MB, indexes %.0f MB (information_schema data_length, index_length)\n' \
  "$SRC" "$SRC_ROWS" "$MB" "$(calc "$SRC_INDEX_BYTES / 1000000")"

work="$(mktemp -d)"
worker_started=false
cleanup() {
  if [[ "$worker_started" == true ]]; then WORKER_PORT=$PORT scripts/worker.sh stop >/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT

# (a) pgloader. The Debian build runs out of heap with the default batch settings. It exits 0 after
# errors (a foreign key it could not create, say), so its log decides.
pgloader_run() {
  fresh_pg bench_pgloader
  if ! pgloader --with "prefetch rows = 10000" \
    "mysql://$RUNBOOKS_MARIADB_USER:$MYSQL_PWD@$RUNBOOKS_MARIADB_HOST:$RUNBOOKS_MARIADB_PORT/$SRC" \
    "postgresql://postgres:$PGPASSWORD@$RUNBOOKS_PG_HOST:$RUNBOOKS_PG_PORT/bench_pgloader" \
    >"$work/pgloader.log" 2>&1 || grep -q -E ' (ERROR|FATAL) ' "$work/pgloader.log"; then
    echo "pgloader failed; its log:" >&2
    tail -n 30 "$work/pgloader.log" >&2
    return 1
  fi
}

# (b) the raw pipeline. MariaDB's --raw output is unescaped: every text column goes through
# ESC (backslash, tab, LF, CR as PostgreSQL text COPY wants them), every nullable column through
# COALESCE to \N, binary as \\x<hex> (COPY turns \\ into the \ of bytea's hex input).
read -r -d '' ESC <<'SQL' || true
REPLACE(REPLACE(REPLACE(REPLACE(COL, '\\', '\\\\'), '\t', '\\t'), '\n', '\\n'), '\r', '\\r')
SQL
e() { echo "${ESC//COL/$1}"; }
n() { printf '%s\n' "COALESCE($1, '\\\\N')"; }
hex() { printf '%s\n' "CONCAT('\\\\\\\\x', HEX($1))"; }
# Timestamps are read in UTC and loaded as timestamptz.
export_sql() {
  local cols
  case "$1" in
    customers) cols="id, $(e email), $(e full_name), $(e country), $(e tier), is_active, $(n credit_limit),
        $(n birth_date), $(n "$(e profile)"), $(n "$(e notes)"), created_at, CONCAT(updated_at, '+00')" ;;
    orders) cols="id, customer_id, $(e status), $(e currency), total, $(n tax), is_gift, item_count,
        $(n "$(e shipping_address)"), placed_at, $(n shipped_at), CONCAT(updated_at, '+00')" ;;
    order_lines) cols="id, order_id, line_no, $(e sku), $(e description), quantity, unit_price, $(n discount_pct),
        $(n "$(e attributes)")" ;;
    documents) cols="id, $(n order_id), $(e file_name), $(e mime_type), $(hex sha256), size_bytes, $(hex content),
        uploaded_at" ;;
  esac
  echo "SET SESSION time_zone = '+00:00'; SELECT $cols FROM $1"
}
RAW_TABLES_SQL="
create table customers (id bigint primary key, email varchar(190) not null, full_name varchar(120) not null,
  country char(2) not null, tier text not null, is_active boolean not null, credit_limit numeric(12,2),
  birth_date date, profile jsonb, notes text, created_at timestamp(6) not null,
  updated_at timestamptz not null default now());
create table orders (id bigint primary key, customer_id bigint not null, status text not null,
  currency char(3) not null, total numeric(12,2) not null, tax numeric(12,2), is_gift boolean not null,
  item_count integer not null, shipping_address varchar(255), placed_at timestamp(6) not null,
  shipped_at timestamp(6), updated_at timestamptz not null default now());
create table order_lines (id bigint primary key, order_id bigint not null, line_no smallint not null,
  sku varchar(32) not null, description varchar(255) not null, quantity integer not null,
  unit_price numeric(12,2) not null, discount_pct numeric(5,2), attributes jsonb);
create table documents (id bigint primary key, order_id bigint, file_name varchar(255) not null,
  mime_type varchar(100) not null, sha256 bytea not null, size_bytes bigint not null, content bytea not null,
  uploaded_at timestamp(6) not null);"
raw_indexes_sql() {
  case "$1" in
    customers) echo "create unique index uq_customers_email on customers (email);
      create index ix_customers_country_tier on customers (country, tier);
      create index ix_customers_created on customers (created_at);" ;;
    orders) echo "create index ix_orders_customer on orders (customer_id);
      create index ix_orders_status_placed on orders (status, placed_at);" ;;
    order_lines) echo "create index ix_order_lines_order on order_lines (order_id);
      create index ix_order_lines_sku on order_lines (sku);" ;;
    documents) echo "create index ix_documents_order on documents (order_id);" ;;
  esac
}
RAW_FOREIGN_KEYS_SQL="
alter table orders add constraint fk_orders_customer foreign key (customer_id) references customers (id);
alter table order_lines add constraint fk_order_lines_order foreign key (order_id) references orders (id);"
raw_table() {
  my_ --quick --raw "$SRC" -e "$(export_sql "$1")" | psql_ -d bench_raw -c "\\copy $1 from pstdin"
  psql_ -d bench_raw -c "$(raw_indexes_sql "$1")"
}
raw_prepare() { fresh_pg bench_raw && psql_ -d bench_raw -c "$RAW_TABLES_SQL"; }
raw_run() {
  local table running=0
  for table in "${TABLES[@]}"; do
    if ((running >= RAW_PARALLEL)); then wait -n; running=$((running - 1)); fi
    raw_table "$table" &
    running=$((running + 1))
  done
  while ((running > 0)); do wait -n; running=$((running - 1)); done
  psql_ -d bench_raw -c "$RAW_FOREIGN_KEYS_SQL"
}

# (c) count(*) on both sides; pgloader puts the tables in a schema named after the source database.
count_run() {
  my_ "$SRC" -e "$(printf 'SELECT COUNT(*) FROM %s; ' "${TABLES[@]}")" >/dev/null
  psql_ -d bench_pgloader -c "$(printf "select count(*) from $SRC.%s; " "${TABLES[@]}")" >/dev/null
}

# The same pass repeated back to back, for a reference that sees the machine's noise over seconds as
# the verification does (one pass takes under a second, so it can land in a quick moment).
count_passes() { for _ in $(seq 1 "$COUNT_PASSES"); do count_run; done; }

# Both copies must hold every row, or their times mean nothing.
check_counts() { # database schema
  local table src dst
  for table in "${TABLES[@]}"; do
    src="$(my_ "$SRC" -e "SELECT COUNT(*) FROM $table")"
    dst="$(psql_ -d "$1" -c "select count(*) from $2.$table")"
    [[ "$src" == "$dst" ]] || { echo "$1.$2.$table has $dst rows, MariaDB $src" >&2; return 1; }
  done
}

# (d) ours.
runbook_file="$work/migrate.yaml"
migrate_runbook bench-migrate "$SRC" bench_ours </dev/null >"$runbook_file"
ours_note=""
if [[ "$OURS" != 1 ]]; then
  ours_note="BENCH_OURS=$OURS"
elif ! RUNBOOKS_TASK_QUEUE=$QUEUE bin/runbook validate "$runbook_file" >"$work/validate.log" 2>&1; then
  ours_note="bin/runbook validate: $(tr -s ' \n' ' ' <"$work/validate.log" | cut -c1-300)"
else
  WORKER_PORT=$PORT RUNBOOKS_TASK_QUEUE=$QUEUE scripts/worker.sh start >/dev/null
  worker_started=true
fi
ours() {
  if ! RUNBOOKS_TASK_QUEUE=$QUEUE bin/runbook start "$runbook_file" --watch >"$work/ours.log" 2>&1; then
    echo "the migrate-data run failed; its output:" >&2
    tail -n 30 "$work/ours.log" >&2
    return 1
  fi
}
# Seconds from the start of the first Verify step to the end of the last one, from the run's report.
verify_seconds() {
  save_report migrate-data/bench-migrate "$work/report.json"
  steps_seconds "$work/report.json" Verify
}

PGLOADER="pgloader"
RAW="raw mariadb | psql \\copy, indexes"
COUNT="count(*) both sides"
COUNT_MEAN="count(*), mean of $COUNT_PASSES in a row"
line() { # label seconds
  printf '%-34s %8.2f s  %10.0f rows/s  %7.1f MB/s\n' "$1" "$2" "$(calc "$SRC_ROWS / $2")" "$(calc "$MB / $2")"
}
measure() { # label prepare command
  local label="$1" prepare="$2" start secs
  "$prepare" >/dev/null
  start="$(now)"
  "$3" >/dev/null
  secs="$(calc "$(now) - $start")"
  line "$label" "$secs"
  keep "$label" "$secs"
}
noop() { :; }

machine_line
for _ in $(seq 1 "$RUNS"); do
  measure "$PGLOADER" noop pgloader_run
  check_counts bench_pgloader "$SRC"
  measure "$RAW" raw_prepare raw_run
  check_counts bench_raw public
  measure "$COUNT" noop count_run
  start="$(now)"
  count_passes
  secs="$(calc "($(now) - $start) / $COUNT_PASSES")"
  line "$COUNT_MEAN" "$secs"
  keep "$COUNT_MEAN" "$secs"
  if [[ -z "$ours_note" ]]; then
    fresh_pg bench_ours >/dev/null
    start="$(now)"
    ours
    total="$(calc "$(now) - $start")"
    verify="$(verify_seconds)"
    line "runbook copy (run - verification)" "$(calc "$total - $verify")"
    printf '%-34s %8.2f s  (whole run %.2f s)\n' "runbook verification" "$verify" "$total"
    keep copy "$(calc "$total - $verify")"
    keep verify "$verify"
  fi
done

echo
pgl="${best[$PGLOADER]}"
raw="${best[$RAW]}"
cnt="${best[$COUNT]}"
printf 'best: pgloader %.2f s, raw %.2f s, count(*) %.2f s; %d rows, %.0f MB\n' "$pgl" "$raw" "$cnt" "$SRC_ROWS" "$MB"
printf 'raw / pgloader throughput %.2f\n' "$(calc "$pgl / $raw")"
if [[ -n "$ours_note" ]]; then
  echo "ours: skipped ($ours_note)"
else
  printf 'ours copy %.2f s: throughput ours/pgloader %.2f, ours/raw %.2f\n' "${best[copy]}" \
    "$(calc "$pgl / ${best[copy]}")" "$(calc "$raw / ${best[copy]}")"
  printf 'ours verification %.2f s: %.2f x the count(*) pass (%.2f x the mean of %d passes in a row, %.2f s)\n' \
    "${best[verify]}" "$(calc "${best[verify]} / $cnt")" "$(calc "${best[verify]} / ${best[$COUNT_MEAN]}")" \
    "$COUNT_PASSES" "${best[$COUNT_MEAN]}"
fi
echo "(MB = MariaDB data_length; the runbook time includes the CLI's JVM start and every step but"
echo " verification; pgloader and raw include their index and foreign key builds)"
