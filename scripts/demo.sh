#!/usr/bin/env bash
# The main job on the local default: brings the stack up (installing what is missing), builds the
# worker and the CLI, creates a sample database, runs a backup to S3 and a restore test
# (backup -> restore into another database -> smoke checks), prints the report and where to look.
set -euo pipefail

cd "$(dirname "$0")/.."

scripts/stack.sh up
eval "$(scripts/stack.sh env)"
scripts/worker.sh start

echo "== sample database 'sample' (recreated)"
export PGPASSWORD
PGPASSWORD="$(cat "$RUNBOOKS_PG_PASSWORD_FILE")"
psql_() { psql -X -q -v ON_ERROR_STOP=1 -h "$RUNBOOKS_PG_HOST" -p "$RUNBOOKS_PG_PORT" -U "$RUNBOOKS_PG_USER" "$@"; }
psql_ -d postgres -c "drop database if exists sample with (force)" -c "create database sample"
psql_ -d sample <<'SQL'
create table customers(id bigserial primary key, name text not null, email text unique,
  created_at timestamptz not null default now());
create table orders(id bigserial primary key, customer_id bigint not null references customers(id),
  amount numeric(12,2) not null, placed_at timestamptz not null, note text);
insert into customers(name, email)
  select 'customer ' || md5(random()::text), 'c' || g || '@example.com' from generate_series(1, 20000) g;
insert into orders(customer_id, amount, placed_at, note)
  select 1 + (random() * 19999)::int, round((random() * 1000)::numeric, 2),
         now() - random() * interval '365 days', md5(random()::text) || md5(random()::text)
  from generate_series(1, 100000);
SQL
unset PGPASSWORD

status=0
echo "== backup: runbooks/local-backup.yaml"
bin/runbook start runbooks/local-backup.yaml --watch || status=$?
if ((status == 0)); then
  echo "== restore test: runbooks/local-restore-test.yaml"
  bin/runbook start runbooks/local-restore-test.yaml --watch || status=$?
fi
if ((status == 0)); then
  echo "== report of the restore test (Markdown)"
  bin/runbook report restore-test/local-sample-test --format md
fi

cat <<EOT

Temporal UI:   ${RUNBOOKS_TEMPORAL_UI}/namespaces/default/workflows
Runs:          bin/runbook list
Worker:        scripts/worker.sh stop   (still running, so you can try more runbooks)
Stack:         scripts/stack.sh down
EOT
exit "$status"
