# The two commands of the README: `make run` and `make test`. Both bootstrap .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

# Development defaults; production sets these in its environment (see .env.example).
export DJANGO_DEBUG ?= 1

.PHONY: run test lint format bench load worker beat migrations-check e2e backup restore tour lock lock-check audit

# Installs exactly what requirements-dev.lock pins (hashes checked), with uv, itself pinned by
# requirements-uv.lock; `make lock` regenerates the three lock files after a change to
# pyproject.toml. https://docs.astral.sh/uv/pip/compile/ The packages are compiled to bytecode
# as they are installed (uv does not by default): with PYTHONDONTWRITEBYTECODE set, as on this
# machine and in the image, every process compiled Django, Celery and the rest again (0.35 s
# of a command's start-up).
$(STAMP): requirements-dev.lock requirements-uv.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements-uv.lock
	$(BIN)/uv pip sync --quiet --python $(BIN)/python --require-hashes --compile-bytecode \
	  requirements-dev.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

# Keeps the pins already in the files unless pyproject.toml rules them out;
# `make lock UPGRADE=1` moves every package to its newest allowed release.
LOCK_DIR ?=
LOCK := $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock" $(if $(UPGRADE),--upgrade,)
lock: $(STAMP)
	$(LOCK) pyproject.toml --extra dev -o $(LOCK_DIR)requirements-dev.lock
	$(LOCK) pyproject.toml -c $(LOCK_DIR)requirements-dev.lock -o $(LOCK_DIR)requirements.lock
	echo uv | $(LOCK) - -c $(LOCK_DIR)requirements-dev.lock -o $(LOCK_DIR)requirements-uv.lock

# Fails when pyproject.toml asks for something the lock files do not hold.
lock-check: $(STAMP)
	rm -rf var/lock-check && mkdir -p var/lock-check && cp requirements*.lock var/lock-check/
	$(MAKE) --no-print-directory lock LOCK_DIR=var/lock-check/
	for f in requirements.lock requirements-dev.lock requirements-uv.lock; do \
	  diff -u -I '^ *#.* -c .*requirements-dev.lock$$' $$f var/lock-check/$$f || { echo "$$f is stale: run make lock"; exit 1; }; done

# Known vulnerabilities in the pinned packages (pip-audit), less the reviewed exceptions in
# .ci/pip-audit-ignore.
audit: $(STAMP)
	$(BIN)/python scripts/audit_dependencies.py requirements-dev.lock

# SQLite and in-process tasks, whatever the shell's environment says.
run: $(STAMP)
	env -u DATABASE_URL -u CELERY_BROKER_URL -u CACHE_URL $(BIN)/python manage.py migrate --noinput
	env -u DATABASE_URL -u CELERY_BROKER_URL -u CACHE_URL $(BIN)/python manage.py load_demo --if-empty
	env -u DATABASE_URL -u CELERY_BROKER_URL -u CACHE_URL $(BIN)/python manage.py runserver 127.0.0.1:8000

# The suite runs on every core (pytest-xdist; TEST_WORKERS=0 runs it in one process). Each
# worker has its own test database, live server, Celery queue and cache keys. Work stealing
# keeps both cores busy to the end (the slowest tests take 15-20 s): 300 -> 273 s on PostgreSQL.
TEST_WORKERS ?= auto

test: $(STAMP)
	DJANGO_FAST_PASSWORD_HASHER=1 $(BIN)/python -m pytest -n $(TEST_WORKERS) \
	  $(if $(filter 0,$(TEST_WORKERS)),,--dist worksteal) $(PYTEST_ARGS)

e2e: $(STAMP)
	DJANGO_FAST_PASSWORD_HASHER=1 $(BIN)/python -m pytest tests/e2e $(PYTEST_ARGS)

# mypy keeps its cache in .mypy_cache (ignored): a warm run takes seconds, a cold one about 30 s.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: $(STAMP)
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH)

# 50 readers and 5 uploaders against gunicorn, a Celery worker, PostgreSQL and Redis for
# LOAD_SECONDS (300); checks failures, p95 page time, uploads read once and the stored figures.
load: $(STAMP)
	$(BIN)/python scripts/load.py

# Every demo role's main pages in Chromium at 1280 and 390 px: screenshots in var/tour/, and a
# list of console errors, failed requests and pages wider than the window (exit 1 if any).
tour: $(STAMP)
	env -u DATABASE_URL -u CELERY_BROKER_URL -u CACHE_URL $(BIN)/python scripts/tour.py $(TOUR_ARGS)

worker: $(STAMP)
	$(BIN)/celery -A thrive_site worker --loglevel=INFO

beat: $(STAMP)
	$(BIN)/celery -A thrive_site beat --loglevel=INFO

# A backup folder (database, uploaded files, manifest) under BACKUP_DIR; restore one with
# `make restore BACKUP=var/backups/thrive-backup-...` (an empty database; REPLACE=1 to overwrite).
BACKUP_DIR ?= var/backups
backup: $(STAMP)
	$(BIN)/python manage.py backup --to $(BACKUP_DIR)

restore: $(STAMP)
	$(BIN)/python manage.py restore $(BACKUP) $(if $(REPLACE),--replace,)
