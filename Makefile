# The two commands of the README: `make run` and `make test`. Both bootstrap .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

# Development defaults; production sets these in its environment (see .env.example).
export DJANGO_DEBUG ?= 1

.PHONY: run test lint format bench worker beat migrations-check e2e backup restore tour

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# SQLite and in-process tasks, whatever the shell's environment says.
run: $(STAMP)
	env -u DATABASE_URL -u CELERY_BROKER_URL -u CACHE_URL $(BIN)/python manage.py migrate --noinput
	env -u DATABASE_URL -u CELERY_BROKER_URL -u CACHE_URL $(BIN)/python manage.py load_demo --if-empty
	env -u DATABASE_URL -u CELERY_BROKER_URL -u CACHE_URL $(BIN)/python manage.py runserver 127.0.0.1:8000

# The suite runs on every core (pytest-xdist; TEST_WORKERS=0 runs it in one process). Each
# worker has its own test database, live server, Celery queue and cache keys.
TEST_WORKERS ?= auto

test: $(STAMP)
	DJANGO_FAST_PASSWORD_HASHER=1 $(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

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
