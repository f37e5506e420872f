"""One archive with the database and the media files; restore that verifies before it writes.

The archive is a gzipped tar:

* ``database/db.sqlite3`` (SQLite, the online backup API) or ``database/db.pgdump``
  (PostgreSQL, ``pg_dump --format=custom``);
* ``media/<path>`` for every file under MEDIA_ROOT;
* ``manifest.json`` (last, written once every checksum is known): see ``docs/backup.md``.

Only Django machinery is used here (connections, the migration recorder and loader), so any
app's data is covered without naming it.
"""

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "ntm-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
DUMP_NAMES = {"sqlite": "database/db.sqlite3", "postgresql": "database/db.pgdump"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for an administrator."""


@dataclass(frozen=True)
class Verified:
    """An archive whose every file matched its checksum, unpacked into ``root``."""

    manifest: dict[str, Any]
    root: Path
    dump: Path
    media: list[str]


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


class _HashingReader:
    """Hands tarfile a file's bytes while hashing exactly what goes into the archive."""

    def __init__(self, f: IO[bytes]) -> None:
        self._f = f
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._f.read(size)
        self.digest.update(data)
        return data


def _vendor(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor not in DUMP_NAMES:
        raise BackupError(f"Database vendor {connection.vendor!r} is not supported.")
    return connection.vendor


def migration_state(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """The latest applied migration of each app (in the order they were applied)."""
    applied = MigrationRecorder(connection).applied_migrations()
    latest: dict[str, tuple[int, str]] = {}
    for (app, name), record in applied.items():
        order = int(record.pk or 0)
        if app not in latest or order > latest[app][0]:
            latest[app] = (order, name)
    return {app: name for app, (_order, name) in sorted(latest.items())}


# PostgreSQL ---------------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client tools "
            "(Debian: apt-get install postgresql-client, or `make deps`), of the server's "
            "major version or newer."
        )
    return path


def _pg_args(connection: BaseDatabaseWrapper) -> tuple[list[str], dict[str, str]]:
    params = connection.settings_dict
    args = ["--no-password"]  # fail rather than wait for a password on a terminal (cron)
    if params.get("HOST"):
        args += ["--host", str(params["HOST"])]
    if params.get("PORT"):
        args += ["--port", str(params["PORT"])]
    if params.get("USER"):
        args += ["--username", str(params["USER"])]
    args += ["--dbname", str(params["NAME"])]
    env = dict(os.environ)
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    sslmode = (params.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(
            f"{Path(command[0]).name} failed (exit {result.returncode}): {result.stderr.strip()}"
        )


# Backup -------------------------------------------------------------------------------------


def _dump(connection: BaseDatabaseWrapper, target: Path) -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            # A consistent copy while the application keeps writing (WAL readers are not blocked).
            connection.connection.backup(destination)
            # One self-contained file: no -wal companion when it is opened later.
            destination.execute("PRAGMA journal_mode=DELETE")
        finally:
            destination.close()
    else:
        args, env = _pg_args(connection)
        _run([_pg_tool("pg_dump"), "--format=custom", "--file", str(target), *args], env)


def _media_files(root: Path) -> Iterator[tuple[Path, str]]:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path, path.relative_to(root).as_posix()


def _add(archive: tarfile.TarFile, path: Path, name: str) -> dict[str, Any]:
    info = archive.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with path.open("rb") as f:
        reader = _HashingReader(f)
        archive.addfile(info, reader)  # type: ignore[arg-type]
    return {"size": info.size, "sha256": reader.digest.hexdigest()}


def backup(output: Path, *, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Write the archive to ``output`` (atomically: a partial file never takes its name)."""
    connection = connections[using]
    vendor = _vendor(connection)
    output = output.resolve()
    media_root = Path(settings.MEDIA_ROOT).resolve()
    if output.is_relative_to(media_root):
        raise BackupError("Write the archive outside MEDIA_ROOT (it would contain itself).")
    partial = output.with_name(output.name + ".partial")
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "database": {"vendor": vendor, "file": DUMP_NAMES[vendor]},
        "migrations": migration_state(connection),
        "media": [],
    }
    with tempfile.TemporaryDirectory(prefix="ntm-backup-") as tmp:
        dump = Path(tmp) / Path(DUMP_NAMES[vendor]).name
        # The database first: files uploaded while the media are copied are extra, never missing.
        _dump(connection, dump)
        try:
            with tarfile.open(partial, "w:gz") as archive:
                added = _add(archive, dump, DUMP_NAMES[vendor])
                manifest["database"].update(added)
                for path, relative in _media_files(media_root):
                    entry = _add(archive, path, MEDIA_PREFIX + relative)
                    manifest["media"].append({"path": relative, **entry})
                data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                info.mtime = int(dt.datetime.now().timestamp())
                archive.addfile(info, _BytesReader(data))  # type: ignore[arg-type]
            os.replace(partial, output)
        except OSError as exc:
            raise BackupError(f"Cannot write {output}: {exc.strerror or exc}.") from None
        finally:
            partial.unlink(missing_ok=True)
    return manifest


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self._data = data
        self._at = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._at + size
        chunk = self._data[self._at : end]
        self._at += len(chunk)
        return chunk


# Restore ------------------------------------------------------------------------------------


def _safe_relative(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"Unsafe path in the archive: {name!r}.")
    return path


def _read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.getmember(MANIFEST)
    except KeyError:
        raise BackupError("Not an ntm backup: manifest.json is missing.") from None
    f = archive.extractfile(member)
    if f is None:
        raise BackupError("manifest.json is not a regular file.")
    try:
        manifest = json.loads(f.read().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"manifest.json cannot be read: {exc}.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("Not an ntm backup: manifest.json has another format.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"Archive format version {manifest.get('format_version')!r} is not supported "
            f"(this code reads version {FORMAT_VERSION})."
        )
    return manifest


def check_compatible(manifest: dict[str, Any], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """The archive's vendor is this database's, and the code knows every migration it had."""
    connection = connections[using]
    vendor = _vendor(connection)
    theirs = manifest["database"]["vendor"]
    if theirs != vendor:
        raise BackupError(
            f"The archive holds a {theirs} database; this installation uses {vendor}. "
            "Restore it on an installation of the same database vendor."
        )
    known = MigrationLoader(None, ignore_no_migrations=True).graph.nodes
    unknown = sorted(
        f"{app}.{name}" for app, name in manifest["migrations"].items() if (app, name) not in known
    )
    if unknown:
        raise BackupError(
            "The archive was made by a newer or different version of the code; these migrations "
            f"are unknown here: {', '.join(unknown)}. Install that version first."
        )


def _expected(manifest: dict[str, Any]) -> dict[str, tuple[int, str]]:
    """Each file the manifest lists, by its name in the archive: (size, sha256)."""
    database = manifest["database"]
    expected = {database["file"]: (int(database["size"]), str(database["sha256"]))}
    for entry in manifest["media"]:
        name = MEDIA_PREFIX + _safe_relative(entry["path"]).as_posix()
        expected[name] = (int(entry["size"]), str(entry["sha256"]))
    return expected


def _unpack(
    archive: tarfile.TarFile, expected: dict[str, tuple[int, str]], workdir: Path
) -> set[str]:
    seen: set[str] = set()
    for member in archive:
        if member.name == MANIFEST:
            continue
        if member.name not in expected or not member.isfile():
            raise BackupError(f"{member.name} is in the archive but not in the manifest.")
        size, sha = expected[member.name]
        target = workdir / _safe_relative(member.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        source = archive.extractfile(member)
        assert source is not None  # a regular file, checked above
        digest = hashlib.sha256()
        with target.open("wb") as out:
            while block := source.read(CHUNK):
                digest.update(block)
                out.write(block)
        if member.size != size or digest.hexdigest() != sha:
            raise BackupError(f"Checksum mismatch: {member.name} was altered or damaged.")
        seen.add(member.name)
    return seen


def verify(archive_path: Path, workdir: Path, *, using: str = DEFAULT_DB_ALIAS) -> Verified:
    """Unpack the archive into ``workdir``, checking every file against the manifest (and that
    nothing is missing or extra). Raises BackupError; writes nothing outside ``workdir``."""
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            manifest = _read_manifest(archive)
            check_compatible(manifest, using=using)
            expected = _expected(manifest)
            seen = _unpack(archive, expected, workdir)
    except (KeyError, TypeError, ValueError) as exc:
        raise BackupError(f"manifest.json is incomplete: {exc!r}.") from None
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise BackupError(f"Cannot read {archive_path}, damaged or not a .tar.gz: {exc}.") from None
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"Missing from the archive: {', '.join(missing)}.")
    if manifest["database"]["vendor"] == "postgresql":
        _pg_tables(workdir / manifest["database"]["file"])
    return Verified(
        manifest=manifest,
        root=workdir,
        dump=workdir / manifest["database"]["file"],
        media=[e["path"] for e in manifest["media"]],
    )


def database_in_use(*, using: str = DEFAULT_DB_ALIAS) -> bool:
    """A database is in use once it has a user account: ``migrate`` creates none, and every
    installation has at least its administrator."""
    connection = connections[using]
    user_table = get_user_model()._meta.db_table
    if user_table not in connection.introspection.table_names():
        return False
    return get_user_model()._default_manager.using(using).exists()


def _pg_tables(dump: Path) -> set[str]:
    """The tables of a custom-format dump. Fails when this pg_restore cannot read the dump (one
    older than the pg_dump that wrote it), before anything is written."""
    result = subprocess.run(
        [_pg_tool("pg_restore"), "--list", str(dump)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore cannot read the dump: {result.stderr.strip()}")
    return {
        m.group(2) for m in re.finditer(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ", result.stdout, re.M)
    }


def _load(connection: BaseDatabaseWrapper, dump: Path) -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        try:
            # Page by page over the live database: it becomes the archived one as a whole.
            source.backup(connection.connection)
        finally:
            source.close()
        connection.close()
        return
    # Tables the archive lacks (made by newer migrations, say) go too, as with SQLite's whole
    # file; dropped first because --clean cannot drop a table that one of them references.
    extra = sorted(set(connection.introspection.table_names()) - _pg_tables(dump))
    preamble = dump.with_name("preamble.sql")
    preamble.write_text(
        "".join(f"DROP TABLE IF EXISTS {connection.ops.quote_name(t)} CASCADE;\n" for t in extra)
    )
    script = dump.with_name("restore.sql")
    _run(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            # Grants name roles of the old server, which may not exist on this one.
            "--no-acl",
            "--file",
            str(script),
            str(dump),
        ],
        dict(os.environ),
    )
    # The tables psql drops must not be held by Django's session.
    connection.close()
    args, env = _pg_args(connection)
    # One transaction for both files: any error and the database is left as it was.
    _run(
        [
            _pg_tool("psql"),
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set",
            "ON_ERROR_STOP=1",
            *args,
            "--file",
            str(preamble),
            "--file",
            str(script),
        ],
        env,
    )


def _restore_media(verified: Verified) -> None:
    media_root = Path(settings.MEDIA_ROOT)
    for relative in verified.media:
        source = verified.root / "media" / relative
        target = media_root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        # Copied beside the target, then renamed over it: a reader never sees half a file.
        partial = target.with_name(target.name + ".restoring")
        shutil.copyfile(source, partial)
        os.replace(partial, target)


def pending_migrations(*, using: str = DEFAULT_DB_ALIAS) -> list[str]:
    connection = connections[using]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _backwards in plan]


def restore(
    archive_path: Path, *, force: bool = False, using: str = DEFAULT_DB_ALIAS
) -> dict[str, Any]:
    """Verify the whole archive, then replace the database and write the media files."""
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError("Restore cannot run inside a transaction.")
    with tempfile.TemporaryDirectory(prefix="ntm-restore-") as tmp:
        verified = verify(archive_path, Path(tmp), using=using)
        if not force and database_in_use(using=using):
            raise BackupError(
                "The target database already has user accounts; restoring replaces all of its "
                "data. Use --force to replace it."
            )
        _load(connection, verified.dump)
        # Content type ids are the archive's now; the process must not keep the old ones.
        ContentType.objects.clear_cache()
        _restore_media(verified)
    return verified.manifest
