"""Where archived reports are stored: local media by default, an S3-compatible bucket through
django-storages when ``SKA_STORAGE=s3``. The settings are read in a fresh process, as at start-up;
no bucket is contacted (there is none here), so this checks what the app would use and how."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
django.setup()
from django.core.files.storage import default_storage
default_storage.exists  # resolve the lazy object
storage = default_storage._wrapped
print(json.dumps({
    "class": f"{type(storage).__module__}.{type(storage).__name__}",
    "bucket": getattr(storage, "bucket_name", None),
    "endpoint": getattr(storage, "endpoint_url", None),
    "acl": getattr(storage, "default_acl", None),
    "signed": getattr(storage, "querystring_auth", None),
    "overwrite": getattr(storage, "file_overwrite", None),
}))
"""


def _storage(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SKA_STORAGE"))}
    clean.update(env, DJANGO_SETTINGS_MODULE="ska.settings")
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_reports_are_kept_in_local_media_by_default():
    assert _storage()["class"] == "django.core.files.storage.filesystem.FileSystemStorage"


def test_s3_keeps_reports_private_signed_and_never_overwritten():
    storage = _storage(
        SKA_STORAGE="s3", AWS_STORAGE_BUCKET_NAME="ska-rapporter", AWS_S3_ENDPOINT_URL="https://s3.example.org",
        AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="y",
    )
    assert storage == {
        "class": "storages.backends.s3.S3Storage",
        "bucket": "ska-rapporter",
        "endpoint": "https://s3.example.org",
        "acl": "private",
        "signed": True,
        "overwrite": False,
    }
