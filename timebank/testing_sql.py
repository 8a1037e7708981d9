"""What tests ask of the SQL a page or a service sends: the statements (``statements_during``, ``page_statements``)
and SQLite's plan at a district's scale (``sqlite_plan_at_district_scale``). Part of the ``timebank.testing`` API
(import them from there)."""

from .extensions import db


def sqlite_plan_at_district_scale(table, statement, mostly_null=None, rows=391_743, per_value=None):
    """The SQLite query plan of ``statement`` with the statistics ANALYZE writes for a district's ``table`` whose
    column ``mostly_null`` is NULL in nearly every row: a full index on it looks like one value shared by every row
    (ANALYZE counts the NULLs as equal), a partial one (``WHERE ... IS NOT NULL``) holds a few rows, every other
    index is selective: 100 rows a value, or ``per_value[column]`` for an index that starts with that column (the
    community's: rows ÷ 20). Rolls back. ``None`` on other databases. For tests that such lookups use an index."""
    from sqlalchemy import text

    if db.engine.dialect.name != "sqlite":
        return None
    connection = db.session.connection()
    connection.execute(text("ANALYZE"))
    connection.execute(text("DELETE FROM sqlite_stat1 WHERE tbl = :table"), {"table": table})
    indexes = connection.execute(text("SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type = 'index' "
                                      "AND tbl_name = :table"), {"table": table}).all()
    for index, sql in indexes:
        columns = [row[2] for row in connection.execute(text(f"PRAGMA index_info('{index}')"))]
        if columns[0] == mostly_null:
            stat = f"{rows} {rows}" if " WHERE " not in sql.upper() else "40 1"
        else:
            stat = f"{rows} {(per_value or {}).get(columns[0], 100)}" + " 100" * (len(columns) - 1)
        connection.execute(text("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (:table, :index, :stat)"),
                           {"table": table, "index": index, "stat": stat})
    connection.execute(text("ANALYZE sqlite_schema"))  # reload the statistics
    compiled = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
    plan = " ".join(row[-1] for row in connection.execute(text("EXPLAIN QUERY PLAN " + compiled)))
    db.session.rollback()
    return plan


def statements_during(call, app=None):
    """The SQL statements ``call()`` sends to the database of ``app`` (default: the current app), in order, with
    their whitespace collapsed. For tests that a page or a service costs the same whatever the size of the data."""
    from flask import current_app
    from sqlalchemy import event

    with (app or current_app._get_current_object()).app_context():
        engine = db.engine
    seen = []

    def listen(_connection, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return seen


def page_statements(app, client, path):
    """How many SQL statements a GET of ``path`` sends on a warm server (asked once before: settings, plugin state
    and catalogues are then cached, as on a server that has been up a while). The answer must be 200."""
    client.get(path)
    responses = []
    seen = statements_during(lambda: responses.append(client.get(path)), app)
    assert responses[0].status_code == 200, path
    return len(seen)
