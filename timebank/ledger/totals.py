"""The maintained service totals (``ledger_service_total``): what the leaderboard and the community's totals read.

A row holds the minutes and the number of records that count — confirmed and not replaced by a correction — of
one volunteer in one community, year (of the activity date) and category. Every change of what counts updates it
in the same transaction, with one statement whatever the number of records:

* a confirmation (``records.confirm``, ``records.auto_confirm``, ``bulk.confirm_many``) adds the record;
* a correction (``corrections.correct``, voids included) takes away the record it replaces and adds the new one.

Rejections and pending records change nothing. ``rebuild_service_totals`` computes the table from the records in
one ``INSERT ... SELECT ... GROUP BY`` (the migration that creates it, the benchmark's generator after its bulk
inserts); ``differences`` compares the table with that computation (``timebank ledger verify``, the tests).

The statements here use table and column names, not the models, so that the migration can use them as they are.
"""

from collections import defaultdict

from sqlalchemy import Integer, cast, column, delete, exists, extract, func, literal, or_, select, table
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db

KEY = ("community_id", "year", "volunteer_id", "category")

totals_table = table("ledger_service_total", *(column(name) for name in (*KEY, "minutes", "records")))
_records = table("ledger_service_record", column("id"), column("community_id"), column("volunteer_id"),
                 column("category"), column("activity_date"), column("minutes"), column("status"),
                 column("corrects_id"))


def totals_from_records():
    """SELECT (community_id, year, volunteer_id, category, minutes, records) computed from the records that count."""
    record = _records.alias("record")
    newer = _records.alias("newer")
    year = cast(extract("year", record.c.activity_date), Integer)
    return (select(record.c.community_id, year.label("year"), record.c.volunteer_id, record.c.category,
                   func.sum(record.c.minutes).label("minutes"), func.count().label("records"))
            .where(record.c.status == literal("confirmed"),
                   ~exists().where(newer.c.corrects_id == record.c.id))
            .group_by(record.c.community_id, year, record.c.volunteer_id, record.c.category))


def rebuild_service_totals(connection):
    """Replace the totals by what the records say (one DELETE, one INSERT ... SELECT ... GROUP BY)."""
    connection.execute(delete(totals_table))
    connection.execute(totals_table.insert().from_select([*KEY, "minutes", "records"], totals_from_records()))


def count_records(changes):
    """Add ``records`` (``[(record, +1)]``: now confirmed) or take them away (``(record, -1)``: replaced by a
    correction), in one upsert for any number of records. Inside the caller's transaction; run it after the
    balances' updates (rows are locked accounts first, totals second, on every path)."""
    deltas = defaultdict(lambda: [0, 0])
    for record, sign in changes:
        delta = deltas[(record.community_id, record.activity_date.year, record.volunteer_id, record.category)]
        delta[0] += sign * int(record.minutes)
        delta[1] += sign
    rows = [dict(zip(KEY, key, strict=True), minutes=minutes, records=count)
            for key, (minutes, count) in sorted(deltas.items()) if minutes or count]
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    statement = insert(totals_table)
    statement = statement.on_conflict_do_update(
        index_elements=list(KEY), set_=dict(minutes=totals_table.c.minutes + statement.excluded.minutes,
                                            records=totals_table.c.records + statement.excluded.records))
    # Sorted keys: two transactions lock the rows they share in the same order (PostgreSQL never deadlocks here).
    db.session.execute(statement, rows)


def differences(community_id=None):
    """``[(key, maintained (minutes, records), computed (minutes, records))]`` where the table and the records
    disagree (a row of zero minutes and zero records counts as absent)."""
    computed_query = totals_from_records().subquery()
    maintained_query = select(*(totals_table.c[name] for name in (*KEY, "minutes", "records"))).where(
        or_(totals_table.c.records != 0, totals_table.c.minutes != 0))
    if community_id is not None:
        computed_query = select(computed_query).where(computed_query.c.community_id == community_id).subquery()
        maintained_query = maintained_query.where(totals_table.c.community_id == community_id)
    computed = {tuple(row[:4]): (int(row[4] or 0), int(row[5])) for row in
                db.session.execute(select(computed_query))}
    maintained = {tuple(row[:4]): (int(row[4] or 0), int(row[5])) for row in db.session.execute(maintained_query)}
    return [(key, maintained.get(key), computed.get(key)) for key in sorted(set(computed) | set(maintained))
            if maintained.get(key) != computed.get(key)]


__all__ = ["count_records", "differences", "rebuild_service_totals", "totals_from_records"]
