"""Full JSON export and import of one clinic, table-driven from ``Base.metadata``: every column of
every row that belongs to the clinic, the media bytes (base64, SHA-256 checked) and the audit rows
about its records. Import into a database without that clinic gives back the same document.
Format: ``docs/interoperability.md`` (``format: "backrehab-clinic"``, ``version: 1``).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    Integer,
    Select,
    String,
    Table,
    UniqueConstraint,
    and_,
    cast,
    insert,
    null,
    or_,
    select,
    text,
)
from sqlalchemy.engine import Engine, RowMapping
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from backrehab.db.base import Base, UTCDateTime
from backrehab.db.media import MediaStore, sha256_hex
from backrehab.db.models import Clinic
from backrehab.db.session import URL_ENV_VARS
from backrehab.errors import ConfigError, InvalidResponseError

FORMAT: Final = "backrehab-clinic"
VERSION: Final = 1


@dataclass(frozen=True, slots=True)
class Scope:
    """A table's rows belong to the clinic when ``column`` names a row of ``parent`` that does."""

    column: str
    parent: str


CLINICS: Final = "clinics"
AUDIT: Final = "audit_log"

SCOPES: Final[Mapping[str, Scope | None]] = {
    CLINICS: None,  # the clinic itself
    "users": Scope("clinic_id", CLINICS),
    "patients": Scope("clinic_id", CLINICS),
    "assessments": Scope("patient_id", "patients"),
    "findings": Scope("assessment_id", "assessments"),
    "questionnaires": Scope("patient_id", "patients"),
    "media": Scope("patient_id", "patients"),
    "analysis_jobs": Scope("patient_id", "patients"),
    "plans": Scope("patient_id", "patients"),
    "plan_versions": Scope("plan_id", "plans"),
    "session_logs": Scope("patient_id", "patients"),
    "proposals": Scope("patient_id", "patients"),
    "outcomes": Scope("patient_id", "patients"),
    AUDIT: None,  # see AUDIT_ENTITIES
}
"""Exported tables and how their rows are tied to the clinic."""

EXCLUDED: Final[Mapping[str, str]] = {}
"""Tables deliberately left out of the export, with the reason (none yet). A table of
``Base.metadata`` in neither :data:`SCOPES` nor here stops export and import."""

AUDIT_ENTITIES: Final[Mapping[str, str]] = {
    "clinic": CLINICS,
    "user": "users",
    "patient": "patients",
    "assessment": "assessments",
    "questionnaire": "questionnaires",
    "media": "media",
    "analysis_job": "analysis_jobs",
    "plan": "plans",
    "session_log": "session_logs",
    "proposal": "proposals",
    "outcome": "outcomes",
}
"""Audit ``entity`` names and their tables: an audit row is exported when its entity is an
exported row, or its ``detail.patient_id`` is an exported patient."""

_CHUNK: Final = 500


def _problem(message: str, detail: str = "") -> InvalidResponseError:
    return InvalidResponseError(f"clinic import: {message}", detail=detail)


def tables() -> list[Table]:
    """The exported tables, parents before children (:class:`ConfigError` if one is unlisted)."""
    known = set(SCOPES) | set(EXCLUDED)
    missing = sorted(set(Base.metadata.tables) - known)
    if missing:
        raise ConfigError(
            f"Clinic export: table(s) {', '.join(missing)} are neither exported nor excluded.",
            detail="add them to SCOPES or EXCLUDED in backrehab.web.services.clinic_io",
        )
    return [t for t in Base.metadata.sorted_tables if t.name in SCOPES]


def database_revision(session: Session) -> str:
    """The Alembic revision of the session's database (:class:`ConfigError` if not migrated)."""
    revision = MigrationContext.configure(session.connection()).get_current_revision()
    if revision is None:
        raise ConfigError(
            "The database has no migration revision; run `backrehab db upgrade` first."
        )
    return revision


# --- values ----------------------------------------------------------------------------------


def _to_json(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, UTCDateTime):
        stamp: dt.datetime = value
        return stamp.astimezone(dt.UTC).isoformat()
    if isinstance(kind, Date):
        day: dt.date = value
        return day.isoformat()
    if isinstance(kind, Float):
        number = float(value)
        if not math.isfinite(number):
            raise ConfigError(f"Clinic export: {column.table.name}.{column.name} is {number}.")
        return number
    if isinstance(kind, Boolean | Integer | String | JSON):
        return value
    raise ConfigError(
        f"Clinic export: no JSON form for the type of {column.table.name}.{column.name}.",
        detail=repr(kind),
    )


def _from_json(column: Column[Any], value: Any, where: str) -> Any:
    """The Python value of one exported field (an :class:`InvalidResponseError` names it)."""
    name = f"{where}: {column.name}"
    if value is None:
        if not column.nullable:
            raise _problem(f"{name} is required")
        return None
    kind = column.type
    if isinstance(kind, UTCDateTime):
        if isinstance(value, str):
            try:
                stamp = dt.datetime.fromisoformat(value)
            except ValueError:
                stamp = None
            if stamp is not None and stamp.utcoffset() is not None:
                return stamp.astimezone(dt.UTC)
        raise _problem(f"{name} {value!r} is not an ISO 8601 date and time with a UTC offset")
    if isinstance(kind, Date):
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise _problem(f"{name} {value!r} is not an ISO 8601 date")
    if isinstance(kind, Boolean):
        if isinstance(value, bool):
            return value
        raise _problem(f"{name} {value!r} is not true or false")
    if isinstance(kind, Integer):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise _problem(f"{name} {value!r} is not a whole number")
    if isinstance(kind, Float):
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
        raise _problem(f"{name} {value!r} is not a finite number")
    if isinstance(kind, String):
        if not isinstance(value, str):
            raise _problem(f"{name} {value!r} is not text")
        if kind.length is not None and len(value) > kind.length:
            raise _problem(f"{name} is longer than {kind.length} characters")
        return value
    if isinstance(kind, JSON):
        return value
    raise ConfigError(f"Clinic import: no JSON form for the type of {where}.{column.name}.")


# --- export ----------------------------------------------------------------------------------


def _ids(table: Table, clinic_id: int) -> Select[Any]:
    """SELECT of the ids of ``table``'s rows that belong to the clinic (a subquery)."""
    scope = SCOPES[table.name]
    if scope is None:
        if table.name != CLINICS:
            raise ConfigError(f"Clinic export: {table.name} has no id scope.")
        return select(table.c.id).where(table.c.id == clinic_id)
    parent = Base.metadata.tables[scope.parent]
    return select(table.c.id).where(table.c[scope.column].in_(_ids(parent, clinic_id)))


def _audit_rows(session: Session, table: Table, clinic_id: int) -> list[RowMapping]:
    conditions = [
        and_(
            table.c.entity == entity,
            table.c.entity_id.in_(
                select(cast(sub.c.id, String)).where(sub.c.id.in_(_ids(sub, clinic_id)))
            ),
        )
        for entity, name in AUDIT_ENTITIES.items()
        for sub in [Base.metadata.tables[name]]
    ]
    patients = Base.metadata.tables["patients"]
    conditions.append(table.c.detail["patient_id"].as_integer().in_(_ids(patients, clinic_id)))
    stmt = select(table).where(or_(*conditions)).order_by(*table.primary_key.columns)
    return list(session.execute(stmt).mappings())


def export_clinic(session: Session, clinic_id: int, store: MediaStore) -> dict[str, Any]:
    """The whole clinic as a JSON-ready document (media bytes included; see the module doc).

    The document holds password hashes and health data: store and send it as such.

    Raises
    ------
    InvalidResponseError
        No clinic with this id.
    MediaReadError
        A media file is missing from ``store`` or no longer matches its SHA-256.
    """
    if session.get(Clinic, clinic_id) is None:
        raise InvalidResponseError(f"clinic export: there is no clinic with id {clinic_id}")
    out: dict[str, list[dict[str, Any]]] = {}
    for table in tables():
        if table.name == AUDIT:
            rows = _audit_rows(session, table, clinic_id)
        else:
            stmt = (
                select(table)
                .where(table.c.id.in_(_ids(table, clinic_id)))
                .order_by(*table.primary_key.columns)
            )
            rows = list(session.execute(stmt).mappings())
        out[table.name] = [
            {c.name: _to_json(c, row[c.name]) for c in table.columns} for row in rows
        ]
    media = {}
    for row in out.get("media", []):
        sha = row["sha256"]
        if sha not in media:
            media[sha] = base64.b64encode(store.get(sha)).decode("ascii")
    return {
        "format": FORMAT,
        "version": VERSION,
        "alembic_revision": database_revision(session),
        "clinic_id": clinic_id,
        "tables": out,
        "media_files": dict(sorted(media.items())),
    }


# --- import: checking the document -----------------------------------------------------------


def _header(document: object, session: Session) -> tuple[int, Mapping[str, Any], Mapping[str, Any]]:
    if not isinstance(document, Mapping):
        raise _problem("the document is not a JSON object")
    if document.get("format") != FORMAT:
        raise _problem(f"format {document.get('format')!r} is not {FORMAT!r}")
    version = document.get("version")
    if version != VERSION or isinstance(version, bool):
        raise _problem(f"version {version!r} is not supported (this backrehab reads {VERSION})")
    revision, here = document.get("alembic_revision"), database_revision(session)
    if revision != here:
        raise _problem(
            f"the export was made at database revision {revision!r} and this database is at "
            f"{here!r}; import into a database at the same revision"
        )
    clinic_id = document.get("clinic_id")
    if not isinstance(clinic_id, int) or isinstance(clinic_id, bool):
        raise _problem(f"clinic_id {clinic_id!r} is not a whole number")
    data, files = document.get("tables"), document.get("media_files")
    if not isinstance(data, Mapping):
        raise _problem("'tables' is missing or not an object")
    if not isinstance(files, Mapping):
        raise _problem("'media_files' is missing or not an object")
    return clinic_id, data, files


def _parse(data: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Rows of every exported table as Python values, columns checked."""
    wanted = tables()
    names = {t.name for t in wanted}
    missing = sorted(names - set(data))
    if missing:
        raise _problem(f"table(s) missing from the document: {', '.join(missing)}")
    unknown = sorted(set(data) - names)
    if unknown:
        raise _problem(f"unknown table(s) in the document: {', '.join(unknown)}")
    parsed: dict[str, list[dict[str, Any]]] = {}
    for table in wanted:
        rows = data[table.name]
        if not isinstance(rows, list):
            raise _problem(f"{table.name} is not a list of rows")
        columns = {c.name for c in table.columns}
        out = []
        for index, row in enumerate(rows):
            where = f"{table.name} row {index + 1}"
            if not isinstance(row, Mapping):
                raise _problem(f"{where} is not an object")
            absent = sorted(columns - set(row))
            if absent:
                raise _problem(f"{where} lacks column(s) {', '.join(absent)}")
            extra = sorted(set(row) - columns)
            if extra:
                raise _problem(f"{where} has unknown column(s) {', '.join(extra)}")
            out.append({c.name: _from_json(c, row[c.name], where) for c in table.columns})
        parsed[table.name] = out
    return parsed


def _check_keys(clinic_id: int, rows: Mapping[str, list[dict[str, Any]]]) -> None:
    """Primary keys unique, unique columns unique, every foreign key and every row's tie to the
    clinic inside the document."""
    ids = {name: [r["id"] for r in found] for name, found in rows.items()}
    for name, values in ids.items():
        dupes = sorted(v for v, n in Counter(values).items() if n > 1)
        if dupes:
            raise _problem(f"{name} has repeated id(s) {', '.join(map(str, dupes[:5]))}")
    if [r["id"] for r in rows[CLINICS]] != [clinic_id]:
        raise _problem(f"the document must hold exactly one clinic, id {clinic_id}")
    known = {name: set(values) for name, values in ids.items()}
    for table in tables():
        for constraint in table.constraints:
            if not isinstance(constraint, UniqueConstraint):
                continue
            cols = [c.name for c in constraint.columns]
            keys = [tuple(r[c] for c in cols) for r in rows[table.name]]
            keys = [k for k in keys if None not in k]
            if len(set(keys)) != len(keys):
                raise _problem(f"{table.name}: repeated value of {', '.join(cols)}")
        for index, row in enumerate(rows[table.name]):
            where = f"{table.name} row {index + 1} (id {row['id']})"
            for fk in table.foreign_keys:
                value = row[fk.parent.name]
                target = fk.column.table.name
                if value is not None and value not in known.get(target, set()):
                    raise _problem(
                        f"{where}: {fk.parent.name} {value} refers to {target} id {value}, "
                        "which is not in the document"
                    )
            scope = SCOPES[table.name]
            if scope is not None and row[scope.column] not in known[scope.parent]:
                raise _problem(
                    f"{where}: {scope.column} {row[scope.column]!r} does not tie it to "
                    f"this clinic ({scope.parent} in the document)"
                )
    entity_ids = {e: {str(i) for i in known[name]} for e, name in AUDIT_ENTITIES.items()}
    for index, row in enumerate(rows[AUDIT]):
        detail = row["detail"]
        patient = detail.get("patient_id") if isinstance(detail, Mapping) else None
        about_row = row["entity_id"] in entity_ids.get(row["entity"], set())
        about_patient = isinstance(patient, int) and patient in known["patients"]
        if not about_row and not about_patient:
            raise _problem(
                f"{AUDIT} row {index + 1} (id {row['id']}) is about {row['entity']} "
                f"{row['entity_id']}, which is not in the document"
            )


def _check_media(
    files: Mapping[str, Any], rows: Mapping[str, list[dict[str, Any]]]
) -> dict[str, bytes]:
    """Decoded media bytes, each matching its SHA-256 and the size of its media rows."""
    decoded: dict[str, bytes] = {}
    for sha, encoded in files.items():
        if not isinstance(encoded, str):
            raise _problem(f"media file {sha}: the content is not base64 text")
        try:
            data = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise _problem(f"media file {sha}: bad base64", detail=str(exc)) from exc
        actual = sha256_hex(data)
        if actual != sha:
            raise _problem(
                f"media file {sha}: the bytes do not match their SHA-256", detail=f"got {actual}"
            )
        decoded[sha] = data
    used = set()
    for index, row in enumerate(rows["media"]):
        sha = row["sha256"]
        used.add(sha)
        if sha not in decoded:
            raise _problem(f"media row {index + 1} (id {row['id']}): no file {sha} in media_files")
        if len(decoded[sha]) != row["size_bytes"]:
            raise _problem(
                f"media row {index + 1} (id {row['id']}): size_bytes {row['size_bytes']} but the "
                f"file has {len(decoded[sha])} bytes"
            )
    unused = sorted(set(decoded) - used)
    if unused:
        raise _problem(f"media file(s) no media row refers to: {', '.join(unused[:3])}")
    return decoded


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _unique_columns(table: Table) -> list[Column[Any]]:
    """Columns that are unique on their own (not the primary key)."""
    found = [c for c in table.columns if c.unique] + [
        c
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint) and len(constraint.columns) == 1
        for c in constraint.columns
    ]
    return list(dict.fromkeys(c for c in found if not c.primary_key))


def _check_collisions(session: Session, rows: Mapping[str, list[dict[str, Any]]]) -> None:
    """Nothing of the document may exist already: the clinic name, an e-mail or another
    unique value first, then the ids (the clinic's first), then unique references."""
    ordered = sorted(tables(), key=lambda t: t.name != CLINICS)
    unique = [(t, c) for t in ordered for c in _unique_columns(t)]
    checks = [(t, c) for t, c in unique if not c.foreign_keys]
    checks += [(t, t.c.id) for t in ordered]
    checks += [(t, c) for t, c in unique if c.foreign_keys]
    for table, column in checks:
        values = sorted({r[column.name] for r in rows[table.name]} - {None})
        taken: list[Any] = []
        for chunk in _chunks(values):
            taken.extend(session.scalars(select(column).where(column.in_(chunk))))
        if not taken:
            continue
        shown = ", ".join(repr(v) for v in sorted(taken)[:5])
        if table.name == CLINICS and column.name == "name":
            raise _problem(f"a clinic named {shown} already exists in this database")
        if table.name == "users" and column.name == "email":
            raise _problem(f"e-mail address(es) already registered here: {shown}")
        raise _problem(
            f"{table.name} {column.name} {shown} already exist(s) in this database; "
            "import into a database that does not hold these records"
        )


# --- import: writing -------------------------------------------------------------------------


def _sql_nulls(table: Table, row: Mapping[str, Any]) -> dict[str, Any]:
    """The row with SQL NULL (not the JSON ``null`` text) for missing JSON values."""
    return {
        k: null() if v is None and isinstance(table.c[k].type, JSON) else v for k, v in row.items()
    }


def _advance_sequences(session: Session, rows: Mapping[str, list[dict[str, Any]]]) -> None:
    """PostgreSQL: move each id sequence past the imported ids (explicit ids do not)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for name, found in rows.items():
        if not found:
            continue
        sequence = session.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": name})
        if sequence is None:
            continue
        last, called = session.execute(
            text(f"SELECT last_value, is_called FROM {sequence}")  # name quoted by PostgreSQL
        ).one()
        top = max(r["id"] for r in found)
        if top >= (last + 1 if called else last):
            session.execute(text("SELECT setval(:s, :v)"), {"s": sequence, "v": top})


def import_clinic(session: Session, document: Mapping[str, Any], store: MediaStore) -> Clinic:
    """Write an :func:`export_clinic` document into this database; returns the new clinic.

    Everything is checked before anything is written (format, version, revision, every table
    and column, types, keys, the tie of every row to the clinic, base64 and SHA-256 of every
    media file, collisions with this database). Rows keep their ids, so exporting the imported
    clinic gives the same document. Nothing is committed here; on any error the session is
    rolled back (call it in a transaction of its own). Media files are written to ``store``
    (content-addressed: a file left by a failed import is harmless).

    Raises
    ------
    InvalidResponseError
        The document is not a valid clinic export, or its clinic, an e-mail or an id already
        exists here; the message names the problem.
    """
    clinic_id, data, files = _header(document, session)
    rows = _parse(data)
    _check_keys(clinic_id, rows)
    decoded = _check_media(files, rows)
    _check_collisions(session, rows)
    current = ""
    try:
        for table in tables():
            current = table.name
            if rows[table.name]:
                session.execute(insert(table), [_sql_nulls(table, r) for r in rows[table.name]])
        current = "media files"
        for data_bytes in decoded.values():
            store.put(data_bytes)
        current = "id sequences"
        _advance_sequences(session, rows)
        session.flush()
    except DBAPIError as exc:
        session.rollback()
        raise _problem(f"the database refused the {current} rows", detail=str(exc.orig)) from exc
    except BaseException:
        session.rollback()
        raise
    clinic = session.get(Clinic, clinic_id)
    assert clinic is not None
    return clinic


__all__ = [
    "AUDIT_ENTITIES",
    "EXCLUDED",
    "FORMAT",
    "SCOPES",
    "VERSION",
    "Scope",
    "database_revision",
    "export_clinic",
    "import_clinic",
    "tables",
]


def _engine_and_store(data_dir: str | os.PathLike[str] | None) -> tuple[Engine, MediaStore]:
    from backrehab.db.session import database_url, default_data_dir, make_engine

    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    url = database_url()
    if data_dir is not None and not any(os.environ.get(n) for n in URL_ENV_VARS):
        url = f"sqlite:///{folder / 'backrehab.sqlite3'}"
    return make_engine(url), MediaStore.in_data_dir(folder)


def export_clinic_file(
    name: str, out: str | os.PathLike[str], *, data_dir: str | os.PathLike[str] | None = None
) -> int:
    """``backrehab clinic export NAME --out FILE``: write the document; returns the row count.

    The export is in the clinic's audit log (``export``, by :func:`~backrehab.web.services.actor.
    local_operator`, with the file and the counts), written once the file is: an export that
    fails leaves no entry, and the document never holds the entry of its own export.
    """
    from backrehab.db.session import session_scope
    from backrehab.pose.outputs import atomic_write_text

    engine, store = _engine_and_store(data_dir)
    try:
        with session_scope(engine) as session:
            clinic = session.scalars(select(Clinic).where(Clinic.name == name)).first()
            if clinic is None:
                raise InvalidResponseError(f"clinic export: there is no clinic named {name!r}")
            document = export_clinic(session, clinic.id, store)
            target = Path(out)
            atomic_write_text(target, json.dumps(document, ensure_ascii=False, sort_keys=True))
            records = sum(len(rows) for rows in document["tables"].values())
            _audit_cli(session, "export", clinic.id, target, document["tables"], records)
    finally:
        engine.dispose()
    return records


def _audit_cli(
    session: Session,
    action: str,
    clinic_id: int,
    path: Path,
    rows: Mapping[str, Sequence[object]],
    records: int,
) -> None:
    from backrehab.web.services.actor import audit, local_operator

    audit(
        session,
        local_operator(),
        action,
        "clinic",
        clinic_id,
        command=f"backrehab clinic {action}",
        file=str(path.resolve()),
        patients=len(rows.get("patients", ())),
        records=records,
    )


def import_clinic_file(
    path: str | os.PathLike[str], *, data_dir: str | os.PathLike[str] | None = None
) -> str:
    """``backrehab clinic import FILE``: import in one transaction; returns the clinic name.

    The import is in the clinic's audit log (``import``, by :func:`~backrehab.web.services.actor.
    local_operator`), in the same transaction: exporting the imported clinic gives the original
    document plus that one audit row (:func:`import_clinic` itself adds none).
    """
    from backrehab.db.migrate import upgrade
    from backrehab.db.session import session_scope

    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidResponseError(f"clinic import: cannot read {path}: {exc}") from exc
    engine, store = _engine_and_store(data_dir)
    try:
        upgrade(engine.url.render_as_string(hide_password=False))
        with session_scope(engine) as session:
            clinic = import_clinic(session, document, store)
            rows = document["tables"]
            records = sum(len(found) for found in rows.values())
            _audit_cli(session, "import", clinic.id, Path(path), rows, records)
            return clinic.name
    finally:
        engine.dispose()
