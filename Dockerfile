# SKA: one image for the web server, the Celery worker and Celery beat (see docs/operations.md).
FROM python:3.11-slim-trixie

# WEB_CONCURRENCY is Gunicorn's worker count when none is given on its command line:
# about two per CPU core; override it per host in the environment.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    WEB_CONCURRENCY=3

# WeasyPrint (PDF reports) needs Pango and HarfBuzz from the system, and at least one font;
# `manage.py backup`/`restore` need pg_dump and pg_restore of the database's major version
# (Debian trixie's client is PostgreSQL 17, as is the compose file's database).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        postgresql-client \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so that a change to the code alone reuses this layer. As `make run` does,
# the pip pinned in requirements-pip.lock (hash-checked) is put in place first and installs the
# lock, so the result does not depend on the pip the base image happens to bring.
COPY requirements-pip.lock requirements.lock ./
RUN python -m pip install --require-hashes -r requirements-pip.lock \
    && python -m pip install --require-hashes -r requirements.lock

COPY . .

# Static files are collected into the image (WhiteNoise serves them, hashed and compressed).
# The key and host are placeholders for this step only; the running containers need real ones.
RUN SKA_PRODUCTION=1 SECRET_KEY=build-only ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput

# The app runs unprivileged; it may write only to var/ (uploaded media, the beat schedule).
RUN groupadd --system --gid 1000 ska \
    && useradd --system --uid 1000 --gid ska --create-home --home-dir /home/ska ska \
    && mkdir -p /app/var/media \
    && chown ska:ska /app/var /app/var/media
USER ska

EXPOSE 8000

CMD ["gunicorn", "ska.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
