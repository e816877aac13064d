"""Fast set-based writes for the bulk import: many rows per statement, no per-row `save()`, no model
instance per row where a dict will do.

Django's `bulk_create` prepares every value through the expression compiler and builds one large
INSERT per batch, and `bulk_update` builds a CASE WHEN per field that grows with the square of the
batch. For the hundreds of thousands of rows of an import that overhead is most of the time, so the
import writes its biggest tables through these helpers:

- `Inserter(model).insert_dicts(rows)`: COPY … FROM STDIN on PostgreSQL, one `executemany` INSERT
  elsewhere. Missing columns take the field's default. Ids are not returned; rows that need theirs
  are found again by a unique key (ID number, temporary identifier), one query per chunk.
- `HistoryInserter(model).insert_history(rows, …)`: the simple-history rows of the same records, in
  the shape simple-history writes itself (what `bulk_create_with_history` does).
- `update_each(objects, fields)`: one `UPDATE … FROM (VALUES …)` per 1000 rows on PostgreSQL, one
  `executemany` UPDATE … WHERE pk = … elsewhere.

Values are converted as Django would (`get_db_prep_save`), except where the driver takes the Python
value as it is (text, numbers, keys; on PostgreSQL also dates, times and decimals).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.utils import timezone

# Field types whose Python values every driver accepts unchanged.
_PLAIN = frozenset({"CharField", "TextField", "SlugField", "IntegerField", "PositiveIntegerField",
                    "PositiveSmallIntegerField", "SmallIntegerField", "BigIntegerField", "BooleanField",
                    "ForeignKey", "AutoField", "BigAutoField"})
_PSYCOPG_NATIVE = frozenset({"DateField", "DateTimeField", "DecimalField", "FloatField", "TimeField"})
UPDATE_CHUNK = 1000


def _connection():
    return connections[DEFAULT_DB_ALIAS]


def _converter(field: models.Field, connection):
    kind = field.get_internal_type()
    if kind in _PLAIN or (connection.vendor == "postgresql" and kind in _PSYCOPG_NATIVE):
        return None
    if connection.vendor == "postgresql" and kind == "JSONField":
        from psycopg.types.json import Jsonb

        return lambda value: None if value is None else Jsonb(value)
    return lambda value: field.get_db_prep_save(value, connection)


def _is_auto_pk(field: models.Field) -> bool:
    return field.primary_key and isinstance(field, models.AutoField | models.BigAutoField | models.SmallAutoField)


class Inserter:
    """Writes rows of one model's table from dicts keyed by attname (`residence_area_id`, not
    `residence_area`)."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.connection = _connection()
        self.fields = [f for f in model._meta.concrete_fields if not _is_auto_pk(f)]
        self.attnames = [f.attname for f in self.fields]
        self.converters = [_converter(f, self.connection) for f in self.fields]
        now = timezone.now()
        self.defaults = {f.attname: now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                         else f.get_default() for f in self.fields}

    def complete(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The values with every missing column at its default."""
        return {**self.defaults, **values}

    def insert_dicts(self, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        defaults, attnames, converters = self.defaults, self.attnames, self.converters
        converted = []
        for values in rows:
            converted.append([
                (value if convert is None else convert(value))
                for convert, value in ((c, values[a] if a in values else defaults[a])
                                       for c, a in zip(converters, attnames, strict=True))
            ])
        quote = self.connection.ops.quote_name
        table = quote(self.model._meta.db_table)
        columns = ", ".join(quote(f.column) for f in self.fields)
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in converted:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.fields))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", converted)

    def insert_objects(self, objects: Iterable[models.Model]) -> None:
        self.insert_dicts([{a: getattr(obj, a) for a in self.attnames} for obj in objects])


class HistoryInserter(Inserter):
    """The simple-history table of a model: one "+" (created) or "~" (changed) row per record."""

    def __init__(self, model: type[models.Model]):
        super().__init__(model.history.model)
        self.tracked = [f.attname for f in model.history.model.tracked_fields]

    def insert_history(self, records: Iterable[Mapping[str, Any] | models.Model], *, kind: str, user: Any,
                       reason: str, request_id: str) -> None:
        """`records` are complete dicts of the tracked model (with "id") or its instances."""
        extra = {"history_date": timezone.now(), "history_type": kind, "history_change_reason": reason,
                 "history_user_id": getattr(user, "pk", None), "request_id": request_id}
        rows = []
        for record in records:
            if isinstance(record, models.Model):
                rows.append({**{a: getattr(record, a) for a in self.tracked}, **extra})
            else:
                rows.append({**{a: record[a] for a in self.tracked}, **extra})
        self.insert_dicts(rows)


def update_each(objects: Sequence[models.Model], fields: list[str]) -> None:
    """Write each object's `fields` by primary key: a few statements for any number of rows (Django's
    bulk_update builds one CASE WHEN per field over the batch, which grows with its square)."""
    if not objects:
        return
    connection = _connection()
    model = type(objects[0])
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), model._meta.pk
    columns = [model._meta.get_field(name) for name in fields]

    def params_of(obj) -> list:
        return [obj.pk] + [c.get_db_prep_save(getattr(obj, c.attname), connection) for c in columns]

    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            assignments = ", ".join(f"{quote(c.column)} = %s" for c in columns)
            cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {quote(pk.column)} = %s",
                               [params_of(obj)[1:] + [obj.pk] for obj in objects])
            return
        casts = [pk.db_type(connection)] + [c.db_type(connection) for c in columns]
        names = ["pk"] + [f"c{i}" for i in range(len(columns))]
        one_row = "(" + ", ".join(f"%s::{cast}" for cast in casts) + ")"
        assignments = ", ".join(f"{quote(c.column)} = v.c{i}" for i, c in enumerate(columns))
        for start in range(0, len(objects), UPDATE_CHUNK):
            part = objects[start:start + UPDATE_CHUNK]
            values = ", ".join([one_row] * len(part))
            cursor.execute(f"UPDATE {table} SET {assignments} FROM (VALUES {values}) AS v({', '.join(names)}) "
                           f"WHERE {table}.{quote(pk.column)} = v.pk",
                           [param for obj in part for param in params_of(obj)])
