"""The backup file: a tar holding ``manifest.json``, its checksum and the parts it lists.

The manifest says when and from what the backup was made (the app's version, the latest
migration of each app, the database vendor, where files are stored) and the SHA-256 checksum
and size of every part. Reading a backup copies its parts into a temporary folder and checks
each of them (and the manifest itself) before anything of the installation is touched.
"""

import hashlib
import json
import os
import tarfile
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from . import database, media

FORMAT = "ska-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_CHECKSUM = "manifest.sha256"
MEDIA_PART = "media.tar"
FILE_PREFIX = "ska-backup-"
_KNOWN_PARTS = {*database.PART_NAMES.values(), MEDIA_PART}
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup cannot be made or restored; the message says why."""


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    notes: list[str] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)


@dataclass
class RestoreResult:
    manifest: dict
    notes: list[str] = field(default_factory=list)


# --- Making a backup -------------------------------------------------------------------


def backup_create(destination: str | Path, *, keep: int | None = None) -> BackupResult:
    """Back up the database and (with local storage) MEDIA_ROOT into one file.

    ``destination`` is a folder (the file is named after the time) or a file name. With
    ``keep``, only that many of the newest backups are left in the folder afterwards."""
    into_folder = Path(destination).is_dir() or str(destination).endswith(("/", os.sep))
    destination = Path(destination)
    if keep is not None and keep < 1:
        raise BackupError("--keep must be at least 1.")
    if into_folder:
        destination.mkdir(parents=True, exist_ok=True)
        target = destination / f"{FILE_PREFIX}{timezone.localtime():%Y%m%d-%H%M%S}.tar"
    else:
        if keep is not None:
            raise BackupError("--keep needs a folder to write the backup into.")
        target = destination
        target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        raise BackupError(f"{target} already exists.")

    try:
        vendor = database.vendor()
    except database.DatabaseToolError as error:
        raise BackupError(str(error)) from error
    notes = []
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "app_version": _app_version(),
        "migrations": database.applied_migrations(),
        "database": {"vendor": vendor, "server_version": database.server_version(), "tables": len(database.table_names())},
        "storage": {"backend": media.storage_name(), "packed": media.is_local()},
        "parts": {},
    }
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".ska-backup-") as work:
        work = Path(work)
        parts = [database.PART_NAMES[vendor]]
        try:
            database.dump(work / parts[0])
        except database.DatabaseToolError as error:
            raise BackupError(str(error)) from error
        if media.is_local():
            manifest["storage"]["files"] = media.pack(media.root(), work / MEDIA_PART)
            parts.append(MEDIA_PART)
        else:
            notes.append(
                "Stored files are kept in object storage, not in this backup: "
                "keep the bucket's versioning (and replication) switched on to be able to restore them."
            )
        for name in parts:
            manifest["parts"][name] = {"sha256": _sha256(work / name), "size": (work / name).stat().st_size}
        manifest_bytes = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
        (work / MANIFEST).write_bytes(manifest_bytes)
        (work / MANIFEST_CHECKSUM).write_text(hashlib.sha256(manifest_bytes).hexdigest() + "\n")
        _write_tar(target, work, [MANIFEST, MANIFEST_CHECKSUM, *parts])
    removed = _prune(destination, keep) if into_folder and keep else []
    return BackupResult(path=target, manifest=manifest, notes=notes, removed=removed)


def _write_tar(target: Path, work: Path, names: list[str]) -> None:
    """Write the tar under a temporary name, readable by its owner only (it holds personal
    data), and give it its name once complete."""
    partial = target.with_name(target.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as stream, tarfile.open(fileobj=stream, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for name in names:
                tar.add(work / name, arcname=name, recursive=False)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _prune(folder: Path, keep: int) -> list[Path]:
    backups = sorted(folder.glob(f"{FILE_PREFIX}*.tar"))
    removed = backups[:-keep]
    for path in removed:
        path.unlink()
    return removed


def _app_version() -> str:
    try:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as file:
            return tomllib.load(file)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- Reading and restoring a backup ----------------------------------------------------


def backup_inspect(path: Path) -> dict:
    """Check a backup without restoring it: its manifest, once every checksum matches."""
    with tempfile.TemporaryDirectory(prefix="ska-restore-") as work:
        return _unpacked(Path(path), Path(work))


def backup_restore(path: Path, *, force: bool = False) -> RestoreResult:
    """Restore a backup into the configured database and MEDIA_ROOT.

    Nothing is written until every checksum has matched and the backup fits this installation
    (the same database vendor, files only where they are stored locally). A database that holds
    tables, or a MEDIA_ROOT that holds files, is replaced only with ``force``."""
    with tempfile.TemporaryDirectory(prefix="ska-restore-") as work:
        work = Path(work)
        manifest = _unpacked(Path(path), work)
        notes = []
        try:
            vendor = database.vendor()
        except database.DatabaseToolError as error:
            raise BackupError(str(error)) from error
        if manifest["database"]["vendor"] != vendor:
            raise BackupError(
                f"The backup holds a {manifest['database']['vendor']} database, "
                f"but this installation uses {vendor}. Nothing was restored."
            )
        has_media = MEDIA_PART in manifest["parts"]
        if has_media and not media.is_local():
            raise BackupError(
                "The backup holds stored files, but this installation keeps them in object storage. "
                "Copy the files of media.tar into the bucket instead. Nothing was restored."
            )
        if has_media:
            try:
                media.check(work / MEDIA_PART, media.root())
            except media.MediaError as error:
                raise BackupError(f"{error} Nothing was restored.") from error

        tables = database.table_names()
        media_files = media.files(media.root()) if has_media else []
        if (tables or media_files) and not force:
            held = []
            if tables:
                held.append(f"the database holds {len(tables)} tables")
            if media_files:
                held.append(f"{media.root()} holds {len(media_files)} file{'s' if len(media_files) != 1 else ''}")
            raise BackupError(
                f"Refusing to restore: {' and '.join(held)}. Restore into an empty database, "
                "or use --force to replace what is there. Nothing was restored."
            )

        try:
            left_behind = database.tables_left_behind(work / database.PART_NAMES[vendor]) if tables else []
        except database.DatabaseToolError as error:
            raise BackupError(f"{error} Nothing was restored.") from error
        if left_behind:
            raise BackupError(
                f"Refusing to restore: the database holds {len(left_behind)} table"
                f"{'s' if len(left_behind) != 1 else ''} the backup does not ({', '.join(left_behind[:5])}"
                f"{', …' if len(left_behind) > 5 else ''}), for example from a newer version of SKA; "
                "a restore would leave them behind. Empty the database first (docs/operations.md, "
                "\"Going back to an older version\"), then restore. Nothing was restored."
            )
        try:
            database.restore(work / database.PART_NAMES[vendor], replace=bool(tables))
        except database.DatabaseToolError as error:
            raise BackupError(f"{error} The database was left as it was.") from error
        if has_media:
            media.unpack(work / MEDIA_PART, media.root())
        elif not manifest["storage"]["packed"]:
            notes.append(
                "The backup holds no stored files: they were kept in object storage. "
                "Restore them from the bucket's versions if needed."
            )
        notes += _migration_notes(manifest["migrations"], database.code_migrations())
        return RestoreResult(manifest=manifest, notes=notes)


def _unpacked(path: Path, work: Path) -> dict:
    """Copy the backup's members into ``work``, checking each against the manifest."""
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    digests: dict[str, tuple[str, int]] = {}
    try:
        with tarfile.open(path, "r:") as tar:
            for member in tar:
                name = member.name
                if name not in {MANIFEST, MANIFEST_CHECKSUM, *_KNOWN_PARTS} or not member.isfile() or name in digests:
                    raise BackupError(f"{path} is not an SKA backup: unexpected member {name!r}.")
                digests[name] = _copy(tar.extractfile(member), work / name)
    except (tarfile.TarError, EOFError) as error:
        raise BackupError(f"{path} is damaged or not an SKA backup ({error}). Nothing was restored.") from error

    if MANIFEST not in digests or MANIFEST_CHECKSUM not in digests:
        raise BackupError(f"{path} is not an SKA backup: it has no manifest.")
    expected = (work / MANIFEST_CHECKSUM).read_text().strip()
    if digests[MANIFEST][0] != expected:
        raise BackupError("The manifest does not match its checksum: the backup is damaged. Nothing was restored.")
    try:
        manifest = json.loads((work / MANIFEST).read_text())
    except ValueError as error:
        raise BackupError(f"The manifest cannot be read ({error}). Nothing was restored.") from error
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{path} is not an SKA backup of format version {FORMAT_VERSION}.")

    parts = manifest["parts"]
    extra = set(digests) - {MANIFEST, MANIFEST_CHECKSUM} - set(parts)
    if extra:
        raise BackupError(f"The backup holds parts its manifest does not list: {', '.join(sorted(extra))}.")
    for name, recorded in parts.items():
        if name not in digests:
            raise BackupError(f"The backup lacks {name}, which its manifest lists. Nothing was restored.")
        if digests[name] != (recorded["sha256"], recorded["size"]):
            raise BackupError(
                f"{name} does not match its SHA-256 checksum in the manifest: the backup is damaged. Nothing was restored."
            )
    return manifest


def _copy(source, target: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(target, "wb") as out:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


def _migration_notes(backed_up: dict[str, str], in_code: dict[str, str]) -> list[str]:
    newer = [app for app, name in backed_up.items() if app in in_code and name > in_code[app]]
    if newer:
        return [
            f"The backup comes from a newer version of SKA (apps {', '.join(newer)}): "
            "run that version or a later one against it."
        ]
    if any(name > backed_up.get(app, "") for app, name in in_code.items()):
        return ["The backup comes from an older version of SKA: run `manage.py migrate` before starting the app."]
    return []
