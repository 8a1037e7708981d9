"""Fast bulk loading of generated rows: SQLite through the driver's ``executemany``, PostgreSQL through ``COPY``.

Rows are tuples in the order of the column names given to ``add``. Identifiers are assigned by the generator (no
RETURNING round trips); ``finish`` moves PostgreSQL's sequences past them. Values are plain Python: naive UTC
datetimes, dates, times, booleans, ints and strings. For SQLite they are written in the text format SQLAlchemy
itself uses (``2026-01-02 03:04:05.000000``), so that the application's queries compare them correctly.
"""

from datetime import date, datetime, time

CHUNK = 20_000


def _sqlite_value(value):
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M:%S}.{value.microsecond:06d}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return f"{value:%H:%M:%S}.{value.microsecond:06d}"
    if isinstance(value, bool):
        return int(value)
    return value


class BulkWriter:
    """``writer.add("table", ("col", ...), rows)`` buffers; ``flush()``/``finish()`` write."""

    def __init__(self, connection):
        self.connection = connection  # a SQLAlchemy Connection inside a transaction
        self.dialect = connection.dialect.name
        self.pending = {}
        self.counts = {}
        if self.dialect == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.exec_driver_sql("PRAGMA synchronous=OFF")
        elif self.dialect == "postgresql":
            # Foreign keys are right by construction; skipping their per-row triggers makes COPY several times
            # faster. Only this session, only while loading (needs a superuser or the database owner's rights).
            connection.exec_driver_sql("SET session_replication_role = replica")

    def add(self, table, columns, rows):
        key = (table, tuple(columns))
        bucket = self.pending.setdefault(key, [])
        bucket.extend(rows)
        if len(bucket) >= CHUNK:
            self._write(key, bucket)
            self.pending[key] = []

    def flush(self):
        for key, rows in list(self.pending.items()):
            if rows:
                self._write(key, rows)
        self.pending = {}

    def _write(self, key, rows):
        table, columns = key
        self.counts[table] = self.counts.get(table, 0) + len(rows)
        names = ", ".join(columns)
        if self.dialect == "postgresql":
            cursor = self.connection.connection.driver_connection.cursor()
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join("?" for _ in columns)
        converted = [tuple(_sqlite_value(value) for value in row) for row in rows]
        self.connection.connection.driver_connection.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({marks})", converted)

    def finish(self):
        """Write what is left; on PostgreSQL move each ``id`` sequence past the highest id written."""
        self.flush()
        if self.dialect == "postgresql":
            self.connection.exec_driver_sql("SET session_replication_role = DEFAULT")
            for table in self.counts:
                self.connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table}), 1))")
        else:
            self.connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        return dict(self.counts)
