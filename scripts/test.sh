#!/usr/bin/env bash
# The whole test suite, twice: on embedded SQLite and on a fresh PostgreSQL database.
# Exit status is non-zero if either run fails or collects no tests (pytest exit 5 is a failure
# here on purpose: a suite that silently ran nothing must not pass).
set -uo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY="$VENV/bin/python"
PG_HOST=${PG_HOST:-127.0.0.1}
PG_PORT=${PG_PORT:-5432}
PG_USER=${PG_USER:-$(id -un)}
results=$(mktemp -d)
export ONEDOOR_DATA_DIR="$results/data"

ensure_postgres() {
  if ! pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null; then
    echo "PostgreSQL is not answering; starting it."
    if command -v pg_ctlcluster >/dev/null 2>&1; then
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    fi
    for _ in $(seq 1 30); do pg_isready -q -h "$PG_HOST" -p "$PG_PORT" && break; sleep 1; done
  fi
  pg_isready -q -h "$PG_HOST" -p "$PG_PORT"
}

run_suite() {  # name, then extra pytest args
  local name=$1; shift
  echo "=== Test suite on $name ==="
  "$PY" -m pytest -p no:cacheprovider --junitxml="$results/$name.xml" "$@"
  local code=$?
  if [ $code -eq 5 ]; then
    echo "ERROR: pytest collected no tests on $name — treating as a failure." >&2
    code=1
  fi
  echo "$code" > "$results/$name.code"
}

run_suite sqlite "$@"

if ensure_postgres; then
  db="onedoor_ci_$$_$(date +%s)"
  createdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$db"
  DATABASE_URL="postgresql://$PG_USER@$PG_HOST:$PG_PORT/$db" run_suite postgresql --create-db "$@"
  dropdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" --if-exists "$db" >/dev/null 2>&1
  dropdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" --if-exists "test_$db" >/dev/null 2>&1
else
  echo "ERROR: PostgreSQL could not be started; the PostgreSQL run is a failure." >&2
  echo 1 > "$results/postgresql.code"
fi

"$PY" - "$results" <<'PYEOF'
import sys, pathlib, xml.etree.ElementTree as ET
root = pathlib.Path(sys.argv[1])
passed = failed = skipped = 0
status = 0
for name in ("sqlite", "postgresql"):
    code = int((root / f"{name}.code").read_text().strip() or 1) if (root / f"{name}.code").exists() else 1
    status = status or code
    xml = root / f"{name}.xml"
    if not xml.exists():
        print(f"{name}: no results (exit {code})")
        continue
    t = ET.parse(xml).getroot()
    suites = [t] if t.tag == "testsuite" else list(t)
    tests = sum(int(s.get("tests", 0)) for s in suites)
    f = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    s = sum(int(s.get("skipped", 0)) for s in suites)
    print(f"{name}: {tests - f - s} passed, {f} failed, {s} skipped (exit {code})")
    passed += tests - f - s; failed += f; skipped += s
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if status else 0)
PYEOF
