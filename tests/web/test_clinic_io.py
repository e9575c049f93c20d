"""Clinic JSON export and import: complete (table-driven), exact round trip on SQLite and
PostgreSQL, refusals that name the problem and write nothing."""

from __future__ import annotations

import base64
import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from backrehab.db.base import Base
from backrehab.db.media import MediaStore
from backrehab.db.models import AuditEntry, Patient
from backrehab.db.repository import get_user_by_email, verify_password
from backrehab.errors import ConfigError, InvalidResponseError, MediaReadError
from backrehab.web.services import clinic_io, patients
from backrehab.web.services.actor import Actor
from backrehab.web.services.clinic_io import (
    EXCLUDED,
    SCOPES,
    database_revision,
    export_clinic,
    import_clinic,
)
from backrehab.web.services.fhir import patient_bundle
from tests.web.conftest import CLINICIAN_PASSWORD, PATIENT_PASSWORD, SeededDb

pytestmark = pytest.mark.slow

Document = dict[str, Any]


def _text(document: Document) -> str:
    return json.dumps(document, sort_keys=True, allow_nan=False)


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in Base.metadata.sorted_tables
        }


@pytest.fixture
def exported(seeded_session: Session, seeded_db: SeededDb) -> Document:
    """The seeded clinic's export, through JSON text and back (as a file would carry it)."""
    document = export_clinic(seeded_session, seeded_db.clinic.clinic_id, seeded_db.clinic.store)
    loaded: Document = json.loads(_text(document))
    return loaded


def test_every_table_is_exported_or_excluded() -> None:
    """Each table of the models is exported or excluded with a reason, never both; a table in
    neither stops the export with an error naming it."""
    assert set(Base.metadata.tables) == set(SCOPES) | set(EXCLUDED)
    assert not set(SCOPES) & set(EXCLUDED)
    assert all(reason.strip() for reason in EXCLUDED.values())
    for name, scope in SCOPES.items():
        if scope is not None:
            assert scope.parent in SCOPES
            assert scope.column in Base.metadata.tables[name].columns
    assert [t.name for t in clinic_io.tables()] == [
        t.name for t in Base.metadata.sorted_tables if t.name in SCOPES
    ]


def test_an_unlisted_table_stops_the_export(monkeypatch: pytest.MonkeyPatch) -> None:
    """A table missing from both lists is a ConfigError naming it (so a new table cannot be
    forgotten silently)."""
    monkeypatch.setattr(clinic_io, "SCOPES", {k: v for k, v in SCOPES.items() if k != "outcomes"})
    with pytest.raises(ConfigError, match="outcomes"):
        clinic_io.tables()


def test_export_holds_every_column_and_only_this_clinic(
    seeded_session: Session, seeded_db: SeededDb, exported: Document
) -> None:
    """The export is versioned, names the database revision, fills every table with rows of
    every column, holds the media bytes, and leaves out the other clinic and its audit rows."""
    seeded = seeded_db.clinic
    assert exported["format"] == "backrehab-clinic"
    assert exported["version"] == 1
    assert exported["alembic_revision"] == database_revision(seeded_session)
    assert exported["clinic_id"] == seeded.clinic_id
    for table in clinic_io.tables():
        rows = exported["tables"][table.name]
        assert rows, f"the seeded clinic has {table.name} rows"
        assert all(set(row) == {c.name for c in table.columns} for row in rows)
    tables = exported["tables"]
    assert [c["name"] for c in tables["clinics"]] == ["North Clinic"]
    assert {u["email"] for u in tables["users"]} == {"doc@north.example", "ada@example.org"}
    assert all(u["password_hash"].startswith("$argon2") for u in tables["users"])
    assert {p["ref"] for p in tables["patients"]} == {"P-001", "P-002", "P-003"}
    patient_ids = {p["id"] for p in tables["patients"]}
    assert {q["patient_id"] for q in tables["questionnaires"]} <= patient_ids
    assert {m["sha256"] for m in tables["media"]} == set(exported["media_files"])
    for sha, encoded in exported["media_files"].items():
        assert base64.b64decode(encoded) == seeded.store.get(sha)
    audited = seeded_session.scalars(
        select(AuditEntry.id).where(
            AuditEntry.entity == "patient",
            AuditEntry.entity_id.in_([str(i) for i in patient_ids]),
        )
    ).all()
    exported_audit = {a["id"] for a in tables["audit_log"]}
    assert set(audited) <= exported_audit
    assert all(
        a["detail"].get("patient_id") != seeded.other_patient_id
        and not (a["entity"] == "patient" and a["entity_id"] == str(seeded.other_patient_id))
        for a in tables["audit_log"]
    )
    assert "South Clinic" not in _text(exported)
    assert "doc@south.example" not in _text(exported)


def test_round_trip_is_exact(
    seeded_session: Session,
    seeded_db: SeededDb,
    exported: Document,
    empty_engine: Engine,
    tmp_path: Path,
) -> None:
    """Export, import into an empty database with an empty media store, export again: the
    same document; the imported clinic works (logins, media, FHIR export, new records get
    fresh ids)."""
    store = MediaStore(tmp_path / "imported-media")
    with Session(empty_engine) as target:
        clinic = import_clinic(target, exported, store)
        assert clinic.id == seeded_db.clinic.clinic_id
        assert clinic.name == "North Clinic"
        target.commit()
    with Session(empty_engine) as target:
        again = export_clinic(target, seeded_db.clinic.clinic_id, store)
        assert _text(again) == _text(exported)
        for email, password in (
            ("doc@north.example", CLINICIAN_PASSWORD),
            ("ada@example.org", PATIENT_PASSWORD),
        ):
            user = get_user_by_email(target, email=email)
            assert user is not None
            assert verify_password(user, password)
        for sha in exported["media_files"]:
            assert store.get(sha) == seeded_db.clinic.store.get(sha)
        source_patient = seeded_session.get_one(Patient, seeded_db.clinic.patient_id)
        imported_patient = target.get_one(Patient, seeded_db.clinic.patient_id)
        source_fhir = patient_bundle(seeded_session, source_patient)
        imported_fhir = patient_bundle(target, imported_patient)
        assert imported_fhir["entry"] == source_fhir["entry"]
        clinician = get_user_by_email(target, email="doc@north.example")
        assert clinician is not None
        newcomer = patients.new_patient(
            target,
            Actor.of(clinician),
            clinic_id=seeded_db.clinic.clinic_id,
            ref="P-004",
            display_name="New Person",
        )
        assert newcomer.id > max(p["id"] for p in exported["tables"]["patients"])
        target.commit()


def test_import_refuses_a_clinic_that_is_already_there(
    seeded_session: Session, seeded_db: SeededDb, exported: Document
) -> None:
    """Importing into a database that holds the clinic is refused, naming the clinic name,
    then the e-mail addresses, then the ids that collide; nothing is written."""
    before = _counts(seeded_db.engine)
    with pytest.raises(InvalidResponseError, match="clinic named 'North Clinic'"):
        import_clinic(seeded_session, exported, seeded_db.clinic.store)
    renamed = copy.deepcopy(exported)
    renamed["tables"]["clinics"][0]["name"] = "North Clinic (copy)"
    with pytest.raises(InvalidResponseError, match=re.escape("ada@example.org")):
        import_clinic(seeded_session, renamed, seeded_db.clinic.store)
    for user in renamed["tables"]["users"]:
        user["email"] = "copy-" + user["email"]
    with pytest.raises(InvalidResponseError, match=r"clinics id .* already exist"):
        import_clinic(seeded_session, renamed, seeded_db.clinic.store)
    seeded_session.rollback()
    assert _counts(seeded_db.engine) == before


def _set(path: tuple[Any, ...], value: Any) -> Callable[[Document], None]:
    def change(document: Document) -> None:
        node = document
        for key in path[:-1]:
            node = node[key]
        if value is _DELETE:
            del node[path[-1]]
        else:
            node[path[-1]] = value

    return change


_DELETE = object()


def _first_sha(document: Document) -> str:
    return str(next(iter(document["media_files"])))


def _bad_base64(document: Document) -> None:
    document["media_files"][_first_sha(document)] = "not base64!"


def _other_bytes(document: Document) -> None:
    document["media_files"][_first_sha(document)] = base64.b64encode(b"other").decode()


def _repeat_id(document: Document) -> None:
    rows = document["tables"]["outcomes"]
    rows.append(dict(rows[0]))


def _foreign_audit(document: Document) -> None:
    document["tables"]["audit_log"][0].update(entity="patient", entity_id="424242", detail={})


BAD_DOCUMENTS: tuple[tuple[str, Callable[[Document], None], str], ...] = (
    ("wrong format", _set(("format",), "zip"), "format 'zip'"),
    ("wrong version", _set(("version",), 2), "version 2"),
    ("other revision", _set(("alembic_revision",), "0001"), "revision '0001'"),
    ("bad clinic id", _set(("clinic_id",), 999_999), "exactly one clinic"),
    ("missing table", _set(("tables", "outcomes"), _DELETE), "missing from the document: outcomes"),
    ("unknown table", _set(("tables", "extras"), []), "unknown table(s) in the document: extras"),
    ("missing column", _set(("tables", "patients", 0, "sex"), _DELETE), "lacks column(s) sex"),
    ("unknown column", _set(("tables", "outcomes", 0, "unit"), "kg"), "unknown column(s) unit"),
    ("bad date", _set(("tables", "outcomes", 0, "date"), "yesterday"), "date 'yesterday'"),
    (
        "naive time",
        _set(("tables", "clinics", 0, "created_at"), "2026-01-01T00:00:00"),
        "with a UTC offset",
    ),
    ("bad number", _set(("tables", "outcomes", 0, "value"), "high"), "value 'high'"),
    ("bad base64", _bad_base64, "bad base64"),
    ("hash mismatch", _other_bytes, "do not match their SHA-256"),
    ("file not in document", _set(("tables", "media", 0, "sha256"), "0" * 64), "no file 0000"),
    (
        "foreign key outside",
        _set(("tables", "outcomes", 0, "patient_id"), 999_999),
        "patient_id 999999 refers to patients id 999999, which is not in the document",
    ),
    ("row of no clinic", _set(("tables", "users", 0, "clinic_id"), None), "does not tie it"),
    ("foreign audit row", _foreign_audit, "patient 424242, which is not in the document"),
    ("repeated id", _repeat_id, "outcomes has repeated id(s)"),
)


def test_bad_documents_are_refused_by_name(
    exported: Document, empty_engine: Engine, tmp_path: Path
) -> None:
    """Each broken document (format, version, revision, tables, columns, types, base64,
    hashes, keys, scope) raises InvalidResponseError naming the problem; nothing is written."""
    store = MediaStore(tmp_path / "media")
    with Session(empty_engine) as target:
        with pytest.raises(InvalidResponseError, match="not a JSON object"):
            import_clinic(target, [], store)  # type: ignore[arg-type]
        for label, breaks, named in BAD_DOCUMENTS:
            document = copy.deepcopy(exported)
            breaks(document)
            with pytest.raises(InvalidResponseError) as caught:
                import_clinic(target, document, store)
            assert named in str(caught.value), f"{label}: {caught.value}"
            target.rollback()
    assert set(_counts(empty_engine).values()) == {0}
    assert not (tmp_path / "media").exists(), "no media file was written"


def test_a_database_refusal_rolls_everything_back(
    exported: Document, empty_engine: Engine, tmp_path: Path
) -> None:
    """A row the database itself refuses (a role outside the CHECK constraint, found only when
    the users are written, after the clinic) is an InvalidResponseError and leaves nothing
    behind; the same session then imports the good document."""
    store = MediaStore(tmp_path / "media")
    document = copy.deepcopy(exported)
    document["tables"]["users"][0]["role"] = "superuser"
    with Session(empty_engine) as target:
        with pytest.raises(InvalidResponseError, match="refused the users rows"):
            import_clinic(target, document, store)
        target.commit()
        assert set(_counts(empty_engine).values()) == {0}
        import_clinic(target, exported, store)
        target.commit()
    assert _counts(empty_engine)["clinics"] == 1


def test_export_errors(seeded_session: Session, seeded_db: SeededDb, tmp_path: Path) -> None:
    """Exporting a clinic that does not exist, or one whose media files are gone from the
    store, fails with an error saying so."""
    with pytest.raises(InvalidResponseError, match="no clinic with id 999999"):
        export_clinic(seeded_session, 999_999, seeded_db.clinic.store)
    with pytest.raises(MediaReadError, match="missing"):
        export_clinic(seeded_session, seeded_db.clinic.clinic_id, MediaStore(tmp_path / "none"))


def _small_clinic(data_dir: Path) -> None:
    """A clinic of one clinician and one patient in ``data_dir``'s SQLite database."""
    from backrehab.db import make_engine, upgrade
    from backrehab.db.repository import create_clinic, create_user

    url = f"sqlite:///{data_dir / 'backrehab.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            clinic = create_clinic(session, name="CLI Clinic")
            doc = create_user(session, email="doc@cli.example", password=CLINICIAN_PASSWORD,
                              role="clinician", clinic_id=clinic.id)  # fmt: skip
            patients.new_patient(session, Actor.of(doc), clinic_id=clinic.id, ref="C-1",
                                 display_name="Cleo")  # fmt: skip
            session.commit()
    finally:
        engine.dispose()


def _cli_audit(data_dir: Path) -> list[AuditEntry]:
    from backrehab.db import make_engine

    engine = make_engine(f"sqlite:///{data_dir / 'backrehab.sqlite3'}")
    try:
        with Session(engine) as session:
            stmt = select(AuditEntry).where(AuditEntry.actor.startswith("cli:"))
            return list(session.scalars(stmt.order_by(AuditEntry.id)))
    finally:
        engine.dispose()


def test_command_line_export_and_import_are_audited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`backrehab clinic export` and `import` each leave one audit entry of the clinic (the
    operator, the file, the counts): the exported document holds no entry of its own export, and
    the imported clinic exports as the original plus the entry of its import."""
    from backrehab.db.session import URL_ENV_VARS

    for name in URL_ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    source, target = tmp_path / "source", tmp_path / "target"
    source.mkdir()
    _small_clinic(source)
    out = tmp_path / "clinic.json"
    records = clinic_io.export_clinic_file("CLI Clinic", out, data_dir=source)
    document = json.loads(out.read_text(encoding="utf-8"))
    (export,) = _cli_audit(source)
    assert (export.action, export.entity) == ("export", "clinic")
    assert export.entity_id == str(document["clinic_id"])
    assert export.detail == {
        "command": "backrehab clinic export",
        "file": str(out.resolve()),
        "patients": 1,
        "records": records,
    }
    assert not [a for a in document["tables"]["audit_log"] if a["actor"].startswith("cli:")]

    assert clinic_io.import_clinic_file(out, data_dir=target) == "CLI Clinic"
    (imported,) = _cli_audit(target)
    assert (imported.action, imported.entity, imported.detail["command"]) == (
        "import",
        "clinic",
        "backrehab clinic import",
    )
    assert imported.detail["records"] == records
    again = tmp_path / "again.json"
    clinic_io.export_clinic_file("CLI Clinic", again, data_dir=target)
    second = json.loads(again.read_text(encoding="utf-8"))
    extra = [a for a in second["tables"]["audit_log"] if a["actor"].startswith("cli:")]
    assert [a["action"] for a in extra] == ["import"]
    second["tables"]["audit_log"] = [a for a in second["tables"]["audit_log"] if a not in extra]
    assert _text(second) == _text(document)


def test_a_failed_command_line_export_is_not_audited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export that cannot write its file leaves no audit entry."""
    from backrehab.db.session import URL_ENV_VARS

    for name in URL_ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    _small_clinic(tmp_path)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the export's folder should be")
    with pytest.raises(FileExistsError):
        clinic_io.export_clinic_file("CLI Clinic", blocked / "clinic.json", data_dir=tmp_path)
    assert _cli_audit(tmp_path) == []
