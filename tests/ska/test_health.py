import json
import os
import subprocess
import sys
from pathlib import Path

from django.test import Client

BASE_DIR = Path(__file__).resolve().parents[2]

PROBE = """
import django, json
django.setup()
from django.test import Client
response = Client().get("/healthz")
print(json.dumps({"status": response.status_code, "body": json.loads(response.content)}))
"""


def _healthz_with(**env):
    """Ask /healthz in a fresh process whose database or broker is the one given."""
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    environment.update(env, DJANGO_SETTINGS_MODULE="ska.settings")
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_healthy(db, settings):
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["broker"] == ("ok" if settings.REDIS_URL else "in-process")
    assert "no-cache" in response["Cache-Control"]


def test_503_when_the_database_is_down():
    # Nothing listens on port 1: the database is unreachable.
    result = _healthz_with(DATABASE_URL="postgres://postgres@127.0.0.1:1/ska")
    assert result["status"] == 503
    assert result["body"]["database"] == "error" and result["body"]["status"] == "error"


def test_503_when_the_sqlite_file_cannot_be_opened(tmp_path):
    result = _healthz_with(DATABASE_URL=f"sqlite:///{tmp_path}/missing-folder/ska.sqlite3")
    assert result["status"] == 503 and result["body"]["database"] == "error"


def test_503_when_the_broker_is_down(tmp_path):
    result = _healthz_with(DATABASE_URL=f"sqlite:///{tmp_path}/ska.sqlite3", REDIS_URL="redis://127.0.0.1:1/0")
    assert result["status"] == 503
    assert result["body"] == {"status": "error", "database": "ok", "broker": "error"}
