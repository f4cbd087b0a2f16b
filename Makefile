# SKA: two commands. `make run` serves the demo municipality; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install install-test chromium migrate demo worker beat messages lock deploy-check audit clean bench-reports bench backup restore

# Beside the web server, a real Celery worker (with beat) on a broker kept in files under
# var/broker/, so report PDFs are built in the background as in production. The worker's log is
# var/worker.log. Unless KOLADA_URL is set, a fake Kolada (log: var/fake-kolada.log) serves
# recorded key figures on KOLADA_PORT (default 8766), so indicators fed from Kolada work without
# the internet. Both stop when the web server does.
run: install migrate demo ## Set everything up and serve the demo on http://127.0.0.1:8000
	@mkdir -p var/broker
	@kolada=; if [ -z "$$KOLADA_URL" ]; then \
	  export KOLADA_URL="http://127.0.0.1:$${KOLADA_PORT:-8766}/v3"; \
	  echo "Starting the fake Kolada at $$KOLADA_URL (log: var/fake-kolada.log)"; \
	  $(BIN)/python manage.py fake_kolada --port $${KOLADA_PORT:-8766} >var/fake-kolada.log 2>&1 & kolada=$$!; \
	else echo "Using Kolada at $$KOLADA_URL"; fi; \
	echo "Starting the Celery worker (log: var/worker.log)"; \
	SKA_BROKER=filesystem $(BIN)/celery -A ska worker --pool=solo -B --schedule var/celerybeat-schedule-run \
	  -Q "$${CELERY_QUEUE:-celery},$${CELERY_PDF_QUEUE:-ska-pdf}" \
	  --loglevel=INFO --without-mingle --without-gossip >var/worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker $$kolada 2>/dev/null; wait $$worker $$kolada 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	SKA_BROKER=filesystem $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install-test chromium ## Install what the tests need and run the whole suite
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# A virtual environment, refused in one sentence when the Python is too old (README, "Two commands").
# $(call venv,DIR)
define venv
	@command -v $(PYTHON) >/dev/null 2>&1 || { \
	  echo "SKA needs Python 3.11 or newer, and there is no '$(PYTHON)' here: install one and run make again (or name it: make PYTHON=python3.12 ...)." >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "SKA needs Python 3.11 or newer, but $(PYTHON) is Python %d.%d: install a newer Python and run make again with it (for example: make PYTHON=python3.12 ...)." % sys.version_info[:2])'
	$(PYTHON) -m venv $(1) || { rm -rf $(1); exit 1; }
endef

# Every install starts by putting the pip pinned in requirements-pip.lock (hash-checked) into the
# environment, then installs the lock file with that pip. A new environment gets whatever pip its
# Python bundles (23.2 with Python 3.11), and an old pip resolves a pinned package's extras
# (weasyprint's fonttools[woff]) to the newest release on the index and then refuses it in hash
# mode; the pinned pip installs exactly what the lock says, on any day. The Dockerfile does the same.
# $(call locked_install,VENV,LOCK)
define locked_install
	$(1)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-pip.lock
	$(1)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r $(2)
endef

$(BIN)/python:
	$(call venv,$(VENV))

$(VENV)/.installed-runtime: requirements.lock requirements-pip.lock | $(BIN)/python
	$(call locked_install,$(VENV),requirements.lock)
	touch $@

$(VENV)/.installed-test: requirements-test.lock requirements-pip.lock | $(BIN)/python
	$(call locked_install,$(VENV),requirements-test.lock)
	touch $@ $(VENV)/.installed-runtime

install: $(VENV)/.installed-runtime
install-test: $(VENV)/.installed-test

# Browser tests drive the system's Chromium; install it where we may (Debian/Ubuntu as root).
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	  else \
	    echo "Chromium is needed for the browser tests: install it (e.g. 'apt-get install chromium') or set SKA_CHROMIUM to its path."; \
	  fi; }

migrate: install
	$(BIN)/python manage.py migrate --noinput

# Seeded once; `seed_demo` is idempotent, so running it by hand again is safe.
demo: install
	@mkdir -p var
	@[ -f var/.demo-seeded ] || { $(BIN)/python manage.py seed_demo && touch var/.demo-seeded; }

worker: install ## A Celery worker for every queue, report PDFs too (needs REDIS_URL)
	$(BIN)/celery -A ska worker --loglevel=INFO -Q "$${CELERY_QUEUE:-celery},$${CELERY_PDF_QUEUE:-ska-pdf}"

beat: install ## Celery beat (needs REDIS_URL)
	$(BIN)/celery -A ska beat --loglevel=INFO --schedule var/celerybeat-schedule

messages: install ## Update the translation catalogues after changing texts
	$(BIN)/python manage.py makemessages --locale sv --ignore '.venv*' --ignore 'var/*' --ignore 'tests/*' --ignore 'templates/simple_history/*' --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore '.venv*'

# uv comes pinned from requirements-test.lock. requirements-pip.lock pins the same pip as the test lock.
lock: install-test ## Re-pin the dependencies (with hashes, no index URLs)
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra test --python-version 3.11 --generate-hashes -o requirements-test.lock
	$(BIN)/uv pip compile pyproject.toml --extra test --extra bench --python-version 3.11 --generate-hashes -o requirements-bench.lock
	sed -n 's/^\(pip==[^ ]*\) .*/\1/p' requirements-test.lock \
	  | $(BIN)/uv pip compile - --python-version 3.11 --generate-hashes -o requirements-pip.lock

# The database and the stored files into one checked file (docs/operations.md, "Backups").
BACKUP_DIR ?= var/backups
backup: install ## Back up the database and uploaded files into BACKUP_DIR (default var/backups/)
	$(BIN)/python manage.py backup $(BACKUP_DIR)/

restore: install ## Restore a backup: make restore BACKUP=var/backups/ska-backup-….tar (FORCE=1 replaces existing data)
	@[ -n "$(BACKUP)" ] || { echo "Usage: make restore BACKUP=path/to/ska-backup-....tar [FORCE=1]"; exit 2; }
	$(BIN)/python manage.py restore "$(BACKUP)" $(if $(FORCE),--force)

# Fails on a known vulnerability in a pinned package. Without network access to the vulnerability
# service it says so and checks against the advisories kept in .ci/advisories/ (see its README).
audit: install-test ## Audit the pinned dependencies for known vulnerabilities
	$(BIN)/python .ci/audit --lock requirements-pip.lock --lock requirements.lock

deploy-check: install ## What `manage.py check --deploy` says in production mode
	SKA_PRODUCTION=1 SECRET_KEY=$$(openssl rand -hex 32) ALLOWED_HOSTS=ska.example.org \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

bench-reports: install ## Time building the grundskola report and 50 unit reports (seeds var/bench-reports.sqlite3)
	$(BIN)/python bench/reports.py

# The load generator (locust) lives in a virtualenv of its own: its gevent patches the standard library.
.venv-bench/bin/python:
	$(call venv,.venv-bench)

.venv-bench/.installed: requirements-bench.lock requirements-pip.lock | .venv-bench/bin/python
	$(call locked_install,.venv-bench,requirements-bench.lock)
	touch $@

bench: install .venv-bench/.installed ## Load-test 600 units × 5 school years with 1, 10 and 50 users on PostgreSQL + Redis; writes docs/benchmarks.md
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
