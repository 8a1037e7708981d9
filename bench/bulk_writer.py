"""Fast bulk loading of generated rows: SQLite through the driver's ``executemany``, PostgreSQL through ``COPY``.

Rows are tuples in the order of the column names given to ``add``. Identifiers are assigned by the generator (no
RETURNING round trips); ``finish`` moves PostgreSQL's sequences past them. Values are plain Python: naive UTC
datetimes, dates, times, booleans, ints and strings. For SQLite they are written in the text format SQLAlchemy
itself uses (``2026-01-02 03:04:05.000000``), so that the application's queries compare them correctly.
"""

from datetime import date, datetime, time

CHUNK = 20_000


#: SQLite: the text forms SQLAlchemy stores (``2026-01-02 03:04:05.000000``), by the exact type of a value.
_TO_SQLITE = {
    datetime: lambda value: value.isoformat(" ", "microseconds"),
    date: date.isoformat,
    time: lambda value: value.isoformat("microseconds"),
    bool: int,
}


def _sqlite_rows(rows):
    """Rows with the columns that need it converted; a column's type is that of its first value that is not None
    (converting every value of a million rows one by one took most of the generation's time)."""
    width = len(rows[0])
    converters = []
    for index in range(width):
        value = next((row[index] for row in rows if row[index] is not None), None)
        convert = _TO_SQLITE.get(type(value))
        if convert is not None:
            converters.append((index, convert))
    if not converters:
        return rows
    converted = []
    for row in rows:
        row = list(row)
        for index, convert in converters:
            value = row[index]
            if value is not None:
                row[index] = convert(value)
        converted.append(row)
    return converted


class BulkWriter:
    """``writer.add("table", ("col", ...), rows)`` buffers; ``flush()``/``finish()`` write."""

    def __init__(self, connection):
        self.connection = connection  # a SQLAlchemy Connection inside a transaction
        self.dialect = connection.dialect.name
        self.pending = {}
        self.counts = {}
        self.assigned_ids = set()  # tables whose ids the generator wrote (their sequences must move past them)
        if self.dialect == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.exec_driver_sql("PRAGMA synchronous=OFF")
            # Index pages stay in memory while a million rows go in (the default cache is 2 MB).
            connection.exec_driver_sql("PRAGMA cache_size=-400000")
            connection.exec_driver_sql("PRAGMA temp_store=MEMORY")
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
        if "id" in columns:
            self.assigned_ids.add(table)
        names = ", ".join(columns)
        if self.dialect == "postgresql":
            cursor = self.connection.connection.driver_connection.cursor()
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join("?" for _ in columns)
        self.connection.connection.driver_connection.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({marks})", _sqlite_rows(rows))

    def finish(self):
        """Write what is left; on PostgreSQL move each ``id`` sequence past the highest id written."""
        self.flush()
        if self.dialect == "postgresql":
            self.connection.exec_driver_sql("SET session_replication_role = DEFAULT")
            for table in sorted(self.assigned_ids):
                self.connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table}), 1))")
        else:
            self.connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        return dict(self.counts)
