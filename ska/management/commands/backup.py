from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ska.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database and the stored files (MEDIA_ROOT) into one tar file with a manifest of "
        "SHA-256 checksums. PATH is a folder (the file is named after the time) or a file name."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", nargs="?", default=str(Path(settings.VAR_DIR) / "backups") + "/",
            help="Folder or file to write the backup to (default: var/backups/).",
        )
        parser.add_argument("--keep", type=int, default=None, help="Keep only this many of the newest backups in the folder.")

    def handle(self, *args, path, keep, **options):
        try:
            result = backup_create(path, keep=keep)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = result.manifest
        files = manifest["storage"].get("files")
        self.stdout.write(f"Database: {manifest['database']['vendor']}, {manifest['database']['tables']} tables.")
        if files is not None:
            self.stdout.write(f"Stored files: {files} from {settings.MEDIA_ROOT}.")
        for note in result.notes:
            self.stdout.write(self.style.WARNING(note))
        for removed in result.removed:
            self.stdout.write(f"Removed the older backup {removed}.")
        self.stdout.write(self.style.SUCCESS(f"Backup written to {result.path}"))
