"""backup / restore: a round trip gives the same results and files; a damaged, foreign or
newer archive is refused before anything is written.

The tests run on the test database's vendor: SQLite by default, PostgreSQL (pg_dump and
pg_restore) under DATABASE_URL=postgres://…. They need real commits (the SQLite backup API and
pg_dump read committed data), hence transactional tests."""

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from ntm.core import backup as backup_module

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def _files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _empty(media: Path) -> None:
    """The state of a fresh installation: migrated, no data, no files."""
    call_command("flush", interactive=False, verbosity=0)
    for path in sorted(media.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    assert not get_user_model().objects.exists() and not _files(media)


def _rewrite(archive: Path, change) -> None:
    """Rewrite the archive, passing each (name, bytes) through change(name, data) -> data."""
    with tarfile.open(archive, "r:gz") as source:
        members = [(m, source.extractfile(m).read()) for m in source.getmembers()]
    with tarfile.open(archive, "w:gz") as target:
        for member, data in members:
            data = change(member.name, data)
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))


def _evaluate() -> str:
    out = io.StringIO()
    call_command("evaluate", "--format", "json", stdout=out)
    return out.getvalue()


def _small_installation(media: Path) -> None:
    get_user_model().objects.create_user(username="canbo", password="x")
    (media / "evidence" / "2024").mkdir(parents=True)
    (media / "evidence" / "2024" / "bien-ban.pdf").write_bytes(b"%PDF-1.4 minh hoa\n" * 50)


def test_round_trip_gives_the_same_results_and_files(media, tmp_path):
    from ntm.demo.loader import load_demo

    load_demo(with_values=True)
    (media / "evidence" / "2024").mkdir(parents=True)
    (media / "evidence" / "2024" / "bien-ban.pdf").write_bytes(b"%PDF-1.4 minh hoa\n" * 500)
    (media / "reports" / "2026" / "12").mkdir(parents=True)
    (media / "reports" / "2026" / "12" / "bieu1-07420.xlsx").write_bytes(bytes(range(256)) * 40)
    results = _evaluate()
    assert results.count("\n") > 10
    files = _files(media)
    archive = tmp_path / "ntm.tar.gz"

    out = io.StringIO()
    call_command("backup", "-o", str(archive), stdout=out)
    assert f"{len(files)} media files" in out.getvalue()
    with tarfile.open(archive, "r:gz") as t:
        manifest = json.load(t.extractfile("manifest.json"))
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["migrations"] == backup_module.migration_state(connection)
    assert manifest["migrations"]["accounts"].startswith("0")
    assert {m["path"]: m["sha256"] for m in manifest["media"]} == files

    _empty(media)
    call_command("restore", str(archive), stdout=io.StringIO())

    assert _files(media) == files
    assert get_user_model().objects.filter(username="xa").exists()
    assert _evaluate() == results


@pytest.mark.parametrize("damaged", ["media", "database"])
def test_a_changed_byte_is_refused_and_nothing_is_written(media, tmp_path, damaged):
    _small_installation(media)
    archive = tmp_path / "ntm.tar.gz"
    call_command("backup", "-o", str(archive), stdout=io.StringIO())

    def flip(name: str, data: bytes) -> bytes:
        if name.startswith(damaged):
            middle = len(data) // 2
            return data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :]
        return data

    _rewrite(archive, flip)
    _empty(media)
    with pytest.raises(CommandError, match="Checksum mismatch"):
        call_command("restore", str(archive), "--force")
    with pytest.raises(CommandError, match="Checksum mismatch"):
        call_command("restore", str(archive), "--check")
    assert not get_user_model().objects.exists() and not _files(media)


def test_a_database_in_use_is_replaced_only_with_force(media, tmp_path):
    _small_installation(media)
    archive = tmp_path / "ntm.tar.gz"
    call_command("backup", "-o", str(archive), stdout=io.StringIO())
    get_user_model().objects.create_user(username="moi", password="x")
    (media / "evidence" / "2024" / "bien-ban.pdf").write_bytes(b"changed")

    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(archive))
    assert get_user_model().objects.filter(username="moi").exists()
    assert (media / "evidence" / "2024" / "bien-ban.pdf").read_bytes() == b"changed"

    call_command("restore", str(archive), "--force", stdout=io.StringIO())
    assert sorted(get_user_model().objects.values_list("username", flat=True)) == ["canbo"]
    assert (media / "evidence" / "2024" / "bien-ban.pdf").read_bytes().startswith(b"%PDF")


def _edit_manifest(archive: Path, edit) -> None:
    def change(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        edit(manifest)
        return json.dumps(manifest).encode()

    _rewrite(archive, change)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda m: m["database"].update(
                vendor="postgresql" if connection.vendor == "sqlite" else "sqlite"
            ),
            "Restore it on an installation of the same database vendor",
        ),
        (
            lambda m: m["migrations"].update(accounts="9999_from_the_future"),
            "accounts.9999_from_the_future",
        ),
        (lambda m: m.update(format_version=99), "format version 99"),
        (lambda m: m["media"].pop(), "is in the archive but not in the manifest"),
    ],
)
def test_a_foreign_or_newer_archive_is_refused(media, tmp_path, edit, message):
    _small_installation(media)
    archive = tmp_path / "ntm.tar.gz"
    call_command("backup", "-o", str(archive), stdout=io.StringIO())
    _edit_manifest(archive, edit)
    _empty(media)
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(archive))
    assert not get_user_model().objects.exists() and not _files(media)


def test_check_reports_an_intact_archive_and_writes_nothing(media, tmp_path):
    _small_installation(media)
    archive = tmp_path / "ntm.tar.gz"
    call_command("backup", "-o", str(archive), stdout=io.StringIO())
    _empty(media)
    out = io.StringIO()
    call_command("restore", str(archive), "--check", stdout=out)
    assert "is intact" in out.getvalue() and "1 media files" in out.getvalue()
    assert not get_user_model().objects.exists() and not _files(media)


def test_not_an_archive_is_refused(media, tmp_path):
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(b"not a tar")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("restore", str(bogus), "--check")


def test_missing_postgresql_tools_are_named(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(backup_module.BackupError, match="postgresql-client"):
        backup_module._pg_tool("pg_dump")


def test_tables_the_archive_lacks_are_dropped(media, tmp_path):
    """A database migrated by newer code has tables the archive does not: after the restore
    they are gone, so that `migrate` can create them again (one references a restored table)."""
    _small_installation(media)
    archive = tmp_path / "ntm.tar.gz"
    call_command("backup", "-o", str(archive), stdout=io.StringIO())
    users = connection.ops.quote_name(get_user_model()._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE ntm_from_newer_code (id integer PRIMARY KEY, "
            f"user_id bigint REFERENCES {users} (id))"
        )
    assert "ntm_from_newer_code" in connection.introspection.table_names()
    call_command("restore", str(archive), "--force", stdout=io.StringIO())
    assert "ntm_from_newer_code" not in connection.introspection.table_names()
    assert get_user_model().objects.filter(username="canbo").exists()


def test_an_unwritable_destination_is_named(media, tmp_path):
    _small_installation(media)
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("backup", "-o", str(tmp_path / "missing" / "ntm.tar.gz"))
    assert not (tmp_path / "missing").exists()
