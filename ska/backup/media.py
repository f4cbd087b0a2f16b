"""The stored files of a backup: MEDIA_ROOT packed as a tar file when files are kept locally.

With S3 storage (``SKA_STORAGE=s3``) the files live in the bucket and are not packed; the
bucket's versioning and replication keep them (docs/operations.md)."""

import os
import tarfile
from pathlib import Path

from django.core.files.storage import FileSystemStorage, storages


class MediaError(Exception):
    """The packed files cannot be unpacked safely."""


def is_local() -> bool:
    return isinstance(storages["default"], FileSystemStorage)


def storage_name() -> str:
    storage = storages["default"]
    return f"{type(storage).__module__}.{type(storage).__qualname__}"


def root() -> Path:
    return Path(storages["default"].location)


def files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.rglob("*") if path.is_file() and not path.is_symlink())


def pack(folder: Path, target: Path) -> int:
    """Pack every regular file under ``folder`` into the tar file ``target``; the number packed."""
    packed = files(folder)
    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as tar:
        for path in packed:
            tar.add(path, arcname=path.relative_to(folder).as_posix(), recursive=False)
    return len(packed)


def check(source: Path, folder: Path) -> None:
    """Refuse a packed file that would land outside ``folder`` or is anything but a plain file
    or folder, before anything is written."""
    try:
        with tarfile.open(source, "r:") as tar:
            for member in tar:
                if not (member.isfile() or member.isdir()):
                    raise MediaError(f"media.tar holds {member.name!r}, which is not a plain file.")
                if member.name.startswith(("/", os.sep)):
                    # tar's own filter would quietly make it relative; a backup never holds one.
                    raise MediaError(f"media.tar holds an unsafe path: {member.name!r} is absolute.")
                tarfile.data_filter(member, str(folder))
    except tarfile.FilterError as error:
        raise MediaError(f"media.tar holds an unsafe path: {error}") from error
    except tarfile.TarError as error:
        raise MediaError(f"media.tar cannot be read: {error}") from error


def unpack(source: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source, "r:") as tar:
        tar.extractall(folder, filter="data")
