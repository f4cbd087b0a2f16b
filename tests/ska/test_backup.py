"""Backups: `manage.py backup` and `manage.py restore` (ska/backup/).

The round trip restores the demo municipality into a fresh database and a fresh MEDIA_ROOT,
serves both the original and the restored copy with gunicorn, logs in through the login form
and compares the pages and a stored file. It runs on the database of the test run: PostgreSQL
(pg_dump/pg_restore) in CI's second run, SQLite (its online backup API) in the first.
"""

import hashlib
import json
import io
import os
import re
import secrets
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import psycopg
import pytest
import requests
from django.conf import global_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from reports.models import ReportSettings
from ska.backup import database
from ska.models import Unit, User

from ..factories import UserFactory
from ..processes import database_url, free_port, stop

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "ska-demo"

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_dump/pg_restore: runs when DATABASE_URL is PostgreSQL"
)
on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite online-backup round trip: runs on the embedded default database"
)


# --- Helpers ------------------------------------------------------------------------


def _server_env(database_url: str, media_root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "SKA_BROKER", "SKA_PRODUCTION"}}
    return {**env, "DATABASE_URL": database_url, "MEDIA_ROOT": str(media_root)}


class Server:
    """gunicorn serving the app against the given database and MEDIA_ROOT."""

    def __init__(self, database_url: str, media_root: Path, log: Path):
        self.base = f"http://127.0.0.1:{free_port()}"
        self.log = open(log, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "ska.wsgi:application", "--workers", "1",
             "--no-control-socket", "--bind", self.base.removeprefix("http://")],
            cwd=ROOT, env=_server_env(database_url, media_root), stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{self.base}/healthz", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start; see {log}")
            time.sleep(0.2)

    def logged_in(self, username: str) -> requests.Session:
        session = requests.Session()
        login_url = f"{self.base}{reverse('login')}"
        page = session.get(login_url, timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = session.post(
            login_url, data={"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
            headers={"Referer": login_url}, timeout=30,
        )
        assert response.status_code == 200 and response.url == f"{self.base}/", response.text[:2000]
        return session

    def stop(self):
        stop(self.process)
        self.log.close()


def _comparable(html: str) -> str:
    """A page without what differs between two sessions: CSRF tokens."""
    html = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+"', r'\1"', html)
    return re.sub(r'("X-CSRFToken"\s*:\s*")[^"]+"', r'\1"', html)


def _backup(folder: Path) -> Path:
    out = io.StringIO()
    call_command("backup", f"{folder}/", stdout=out)
    backup = Path(re.search(r"Backup written to (\S+)", out.getvalue()).group(1))
    assert backup.is_file()
    return backup


def _restore_in_subprocess(backup: Path, database_url: str, media_root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(backup)],
        cwd=ROOT, env=_server_env(database_url, media_root), capture_output=True, text=True, timeout=300,
    )


# --- The round trip -------------------------------------------------------------------


def _round_trip(tmp_path: Path, settings, fresh_database_url: str) -> None:
    media_root = tmp_path / "media"
    settings.MEDIA_ROOT = str(media_root)
    # Demo people log in through the form in another process: their one shared hash must be
    # one the servers know (the suite's fast MD5 hasher is not).
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    call_command("seed_demo", stdout=io.StringIO())
    logo = ReportSettings.objects.exclude(logo="").get()
    logo_bytes = (media_root / logo.logo.name).read_bytes()
    unit = Unit.objects.get(name="Österportskolan")

    backup = _backup(tmp_path / "backups")

    restored_media = tmp_path / "restored-media"
    result = _restore_in_subprocess(backup, fresh_database_url, restored_media)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Restored" in result.stdout
    assert (restored_media / logo.logo.name).read_bytes() == logo_bytes

    pages = [reverse("start"), unit.get_absolute_url(), reverse("chain_matrix"), reverse("reports:index")]
    logo_url = reverse("reports:report_settings_logo", args=[logo.municipality_id])
    servers = []
    try:
        original = Server(database_url(), media_root, tmp_path / "original.log")
        servers.append(original)
        copy = Server(fresh_database_url, restored_media, tmp_path / "restored.log")
        servers.append(copy)
        sessions = [server.logged_in("skolchef") for server in servers]
        for page in pages:
            responses = [session.get(server.base + page, timeout=60) for session, server in zip(sessions, servers)]
            assert [r.status_code for r in responses] == [200, 200], page
            assert _comparable(responses[1].text) == _comparable(responses[0].text), page
        # The pages show the demo's data, not an empty shell that would compare equal too.
        unit_page = sessions[1].get(copy.base + unit.get_absolute_url(), timeout=60).text
        assert "Österportskolan" in unit_page
        start_page = sessions[1].get(copy.base + "/", timeout=60).text
        assert "Maria Lindqvist" in start_page
        stored = [session.get(server.base + logo_url, timeout=60) for session, server in zip(sessions, servers)]
        assert [r.status_code for r in stored] == [200, 200]
        assert stored[1].content == stored[0].content == logo_bytes
    finally:
        for server in servers:
            server.stop()


@on_postgresql
def test_a_postgresql_backup_restored_into_a_fresh_database_serves_the_same_data(transactional_db, settings, tmp_path):
    name = f"{connection.settings_dict['NAME']}_restore_{os.getpid()}_{secrets.token_hex(3)}"[:63]
    db = connection.settings_dict
    admin = psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"] or None,
        dbname="postgres", autocommit=True,
    )
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        _round_trip(tmp_path, settings, database_url(name))
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@on_sqlite
def test_an_sqlite_backup_restored_into_a_fresh_file_serves_the_same_data(transactional_db, settings, tmp_path):
    fresh = tmp_path / "restored.sqlite3"
    _round_trip(tmp_path, settings, database_url(str(fresh)))
    assert fresh.stat().st_size > 0


# --- Refusals -------------------------------------------------------------------------


def _small_installation(tmp_path: Path, settings) -> bytes:
    """A person and a stored file in a MEDIA_ROOT of the test's own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    UserFactory(username="before-backup")
    content = b"%PDF-1.7 stored report " + secrets.token_bytes(64)
    default_storage.save("reports/2025/report.pdf", ContentFile(content))
    return content


def _damage(backup: Path, member: str) -> None:
    with tarfile.open(backup) as tar:
        info = tar.getmember(member)
    offset = info.offset_data + info.size // 2
    with open(backup, "r+b") as file:
        file.seek(offset)
        byte = file.read(1)
        file.seek(offset)
        file.write(bytes([byte[0] ^ 0xFF]))


@pytest.mark.parametrize("member", ["manifest.json", "database", "media.tar"])
def test_a_damaged_backup_is_refused_before_anything_is_written(member, transactional_db, settings, tmp_path):
    _small_installation(tmp_path, settings)
    backup = _backup(tmp_path / "backups")
    if member == "database":
        member = "database.dump" if connection.vendor == "postgresql" else "database.sqlite3"
    _damage(backup, member)
    # After the backup: a person a restore would remove, and an empty MEDIA_ROOT it would fill.
    UserFactory(username="after-backup")
    settings.MEDIA_ROOT = str(tmp_path / "empty-media")

    with pytest.raises(CommandError, match="checksum"):
        call_command("restore", str(backup), "--check", stdout=io.StringIO())
    with pytest.raises(CommandError, match="checksum.*Nothing was restored"):
        call_command("restore", str(backup), "--force", stdout=io.StringIO())

    assert User.objects.filter(username="after-backup").exists()
    assert not (tmp_path / "empty-media").exists() or not any((tmp_path / "empty-media").iterdir())


def test_restore_refuses_a_database_that_holds_tables_unless_forced(transactional_db, settings, tmp_path):
    content = _small_installation(tmp_path, settings)
    backup = _backup(tmp_path / "backups")
    out = io.StringIO()
    call_command("restore", str(backup), "--check", stdout=out)
    assert "every checksum matches" in out.getvalue()

    UserFactory(username="after-backup")
    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(backup), stdout=io.StringIO())
    assert User.objects.filter(username="after-backup").exists()

    (tmp_path / "media" / "reports/2025/report.pdf").unlink()
    call_command("restore", str(backup), "--force", stdout=io.StringIO())
    assert not User.objects.filter(username="after-backup").exists()
    assert User.objects.filter(username="before-backup").exists()
    assert (tmp_path / "media" / "reports/2025/report.pdf").read_bytes() == content


def test_the_manifest_records_the_parts_and_their_checksums(transactional_db, settings, tmp_path):
    _small_installation(tmp_path, settings)
    backup = _backup(tmp_path / "backups")
    assert backup.stat().st_mode & 0o077 == 0  # personal data: readable by its owner only
    with tarfile.open(backup) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        for name, part in manifest["parts"].items():
            data = tar.extractfile(name).read()
            assert hashlib.sha256(data).hexdigest() == part["sha256"]
            assert len(data) == part["size"]
        media = tarfile.open(fileobj=tar.extractfile("media.tar"))
        assert media.getnames() == ["reports/2025/report.pdf"]
    assert manifest["database"]["vendor"] == connection.vendor
    assert set(manifest["parts"]) == {"database.dump" if connection.vendor == "postgresql" else "database.sqlite3", "media.tar"}
    assert manifest["migrations"]["ska"].startswith("00")
    assert manifest["storage"]["files"] == 1


def test_with_s3_storage_files_are_not_packed_and_the_command_says_so(transactional_db, settings, tmp_path):
    _small_installation(tmp_path, settings)
    local_backup = _backup(tmp_path / "local")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {"bucket_name": "ska-files"}},
    }
    out = io.StringIO()
    call_command("backup", f"{tmp_path / 's3'}/", stdout=out)
    assert "versioning" in out.getvalue()
    (backup,) = (tmp_path / "s3").glob("ska-backup-*.tar")
    with tarfile.open(backup) as tar:
        assert "media.tar" not in tar.getnames()
    # Files packed from local storage cannot be put back into a bucket by the restore.
    UserFactory(username="after-backup")
    with pytest.raises(CommandError, match="object storage"):
        call_command("restore", str(local_backup), "--force", stdout=io.StringIO())
    assert User.objects.filter(username="after-backup").exists()


def test_keep_leaves_only_the_newest_backups(transactional_db, settings, tmp_path):
    _small_installation(tmp_path, settings)
    folder = tmp_path / "backups"
    folder.mkdir()
    for old in ("ska-backup-20240101-020000.tar", "ska-backup-20240102-020000.tar", "ska-backup-20240103-020000.tar"):
        (folder / old).write_bytes(b"old")
    call_command("backup", str(folder), "--keep", "2", stdout=io.StringIO())
    names = sorted(path.name for path in folder.iterdir())
    assert len(names) == 2
    assert names[0] == "ska-backup-20240103-020000.tar"
    assert names[1] > names[0]


def test_a_forced_restore_leaves_no_table_the_backup_does_not_hold(transactional_db, settings, tmp_path):
    _small_installation(tmp_path, settings)
    backup = _backup(tmp_path / "backups")
    # As if a newer version had migrated since: a table the backup lacks, pointing at one it replaces.
    person = UserFactory(username="after-backup")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE ska_newer_feature (id integer PRIMARY KEY, "
            f"person_id integer REFERENCES {connection.ops.quote_name(User._meta.db_table)} (id))"
        )
        cursor.execute("INSERT INTO ska_newer_feature (id, person_id) VALUES (1, %s)", [person.pk])
    try:
        if connection.vendor == "postgresql":
            # pg_restore --clean would drop only what the backup holds: refused, nothing changed.
            with pytest.raises(CommandError, match=r"ska_newer_feature.*Nothing was restored"):
                call_command("restore", str(backup), "--force", stdout=io.StringIO())
            assert "ska_newer_feature" in database.table_names()
            assert User.objects.filter(username="after-backup").exists()
        else:
            # SQLite's copy replaces the whole file.
            call_command("restore", str(backup), "--force", stdout=io.StringIO())
            assert "ska_newer_feature" not in database.table_names()
            assert not User.objects.filter(username="after-backup").exists()
            assert User.objects.filter(username="before-backup").exists()
    finally:
        with connection.cursor() as cursor:  # the flush after the test must be able to empty the tables
            cursor.execute("DROP TABLE IF EXISTS ska_newer_feature")


@on_postgresql
def test_pg_variables_of_the_environment_do_not_redirect_the_tools(transactional_db, settings, tmp_path, monkeypatch):
    _small_installation(tmp_path, settings)
    connection.ensure_connection()  # Django's own connection is made before the variables appear
    for variable, value in {
        "PGSERVICE": "no-such-service", "PGDATABASE": "no_such_database", "PGOPTIONS": "-c no_such.setting",
    }.items():
        monkeypatch.setenv(variable, value)
    backup = _backup(tmp_path / "backups")
    with tarfile.open(backup) as tar:
        assert json.load(tar.extractfile("manifest.json"))["parts"]["database.dump"]["size"] > 0


# --- Unsafe files in media.tar -------------------------------------------------------------


def _replace_media(backup: Path, members: list[tuple[tarfile.TarInfo, bytes]]) -> None:
    """Give the backup another media.tar, with the manifest's checksums to match, as a
    backup made by someone who means harm would have."""
    media_tar = io.BytesIO()
    with tarfile.open(fileobj=media_tar, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data else None)
    parts = {}
    with tarfile.open(backup) as tar:
        for name in tar.getnames():
            parts[name] = tar.extractfile(name).read()
    parts["media.tar"] = media_tar.getvalue()
    manifest = json.loads(parts["manifest.json"])
    manifest["parts"]["media.tar"] = {"sha256": hashlib.sha256(parts["media.tar"]).hexdigest(), "size": len(parts["media.tar"])}
    parts["manifest.json"] = json.dumps(manifest).encode()
    parts["manifest.sha256"] = (hashlib.sha256(parts["manifest.json"]).hexdigest() + "\n").encode()
    with tarfile.open(backup, "w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in parts.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def _member(name: str, kind: bytes = tarfile.REGTYPE, linkname: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    return info


@pytest.mark.parametrize(
    "unsafe",
    [
        pytest.param((_member("reports/../../outside.txt"), b"outside"), id="parent-folder"),
        pytest.param((_member("/outside.txt"), b"outside"), id="absolute-path"),
        pytest.param((_member("reports/link", tarfile.SYMTYPE, "../../outside.txt"), b""), id="symlink"),
        pytest.param((_member("reports/hard", tarfile.LNKTYPE, "reports/ok.pdf"), b""), id="hardlink"),
    ],
)
def test_a_backup_with_an_unsafe_media_member_is_refused_before_anything_is_written(
    unsafe, transactional_db, settings, tmp_path
):
    _small_installation(tmp_path, settings)
    backup = _backup(tmp_path / "backups")
    # A harmless file first: a restore that had begun unpacking would have written it.
    _replace_media(backup, [(_member("reports/ok.pdf"), b"%PDF-1.7 ok"), unsafe])
    UserFactory(username="after-backup")
    settings.MEDIA_ROOT = str(tmp_path / "restored" / "media")

    with pytest.raises(CommandError, match=r"media\.tar holds .*Nothing was restored"):
        call_command("restore", str(backup), "--force", stdout=io.StringIO())

    assert User.objects.filter(username="after-backup").exists()
    assert not (tmp_path / "restored" / "media").exists() or not any((tmp_path / "restored" / "media").rglob("*"))
    assert not (tmp_path / "restored" / "outside.txt").exists()
    assert not (tmp_path / "outside.txt").exists()
