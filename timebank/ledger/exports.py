"""Exports of service records (CSV and XLSX) with the national record fields, streamed in batches so that
100,000 rows need little memory.

The rows come from one Core query of plain columns; the values that need converting (dates, times, hours,
category labels) are converted once per distinct stored value, not once per row: most records of a community share
their day, their shift times and their length. The XLSX sheet is written by this module row by row into the
package openpyxl makes for the header alone (workbook, styles, sheet frame): openpyxl's write-only mode spent
about 11 µs of CPU per cell, 22 s for 100,000 records of 19 columns; writing and compressing the sheet here
takes about 3 s."""

import csv
import io
import re
import tempfile
import zipfile
from datetime import UTC, date, datetime
from itertools import islice
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import aliased

from ..communities.models import Membership
from ..extensions import db
from ..i18n import _
from ..identity.models import User
from .categories import ledger_category
from .models import ServiceRecord

BATCH = 2000
CSV_CHUNK = 500  # rows per streamed piece of CSV, and per write into the XLSX sheet
MEMO_LIMIT = 20_000  # distinct values remembered per converted column before the memo starts again
MEMO_TEXT_LENGTH = 200  # longer texts are written to the XLSX sheet without being remembered
SHEET_TITLE = "志愿服务记录"
SHEET_PART = "xl/worksheets/sheet1.xml"


def export_columns():
    """Column titles, in Chinese: offices upload these files to the national system."""
    with force_locale("zh_CN"):
        return [
            _("Volunteer name"), _("Volunteer number"), _("Activity name"), _("Service date"), _("Start"),
            _("End"), _("Service place"), _("Service content"), _("Service hours"), _("Organising unit"),
            _("Activity leader"), _("Category"), _("Status"), _("Back-entry"), _("Evidence"), _("Confirmed by"),
            _("Confirmed at"), _("Record number"), _("Corrects record"),
        ]


STATUS_LABELS = {"pending": "待确认", "confirmed": "已确认", "rejected": "未通过"}


class _Memo(dict):
    """``memo[value]`` is ``function(value)``, computed on the first use of each value. Emptied when it holds
    ``MEMO_LIMIT`` values, so that a column of (nearly) unique values costs no more than computing each one."""

    def __init__(self, function):
        super().__init__()
        self.function = function

    def __missing__(self, value):
        if len(self) >= MEMO_LIMIT:
            self.clear()
        result = self[value] = self.function(value)
        return result


def _stored(column):
    """The column as the database driver returns it, without the column type's conversion of each value: text on
    SQLite, ``date``/``datetime`` on PostgreSQL (the SQL is unchanged). The conversions below accept both."""
    return type_coerce(column, String)


def _rows(community_id, timezone, date_from, date_to, status=None):
    """Yield one tuple of cell values per record, reading the database in batches."""
    tz = ZoneInfo(timezone)

    def local(stored):  # a UTCDateTime value as stored (UTC without a zone, text on SQLite), in the community's zone
        moment = datetime.fromisoformat(stored) if isinstance(stored, str) else stored
        return moment.replace(tzinfo=UTC).astimezone(tz)

    days = _Memo(lambda stored: (date.fromisoformat(stored) if isinstance(stored, str) else stored).isoformat())
    clock = _Memo(lambda stored: local(stored).strftime("%H:%M"))
    stamps = _Memo(lambda stored: local(stored).strftime("%Y-%m-%d %H:%M"))
    hours = _Memo(lambda minutes: round(minutes / 60, 2))

    def label(code):
        category = ledger_category(code)
        return str(category.label) if category else code

    labels = _Memo(label)
    confirmer = aliased(User)
    query = (
        # Plain columns in the order of the export, not ORM objects: 100,000 records go through here.
        select(User.display_name, Membership.volunteer_number, ServiceRecord.activity_name,
               _stored(ServiceRecord.activity_date), _stored(ServiceRecord.started_at),
               _stored(ServiceRecord.ended_at), ServiceRecord.place, ServiceRecord.content, ServiceRecord.minutes,
               ServiceRecord.organising_unit, ServiceRecord.activity_leader, ServiceRecord.category,
               ServiceRecord.status, ServiceRecord.is_backfill, ServiceRecord.evidence_note, confirmer.display_name,
               _stored(ServiceRecord.decided_at), ServiceRecord.id, ServiceRecord.corrects_id)
        .join(User, User.id == ServiceRecord.volunteer_id)
        .outerjoin(Membership, (Membership.user_id == ServiceRecord.volunteer_id)
                   & (Membership.community_id == ServiceRecord.community_id))
        .outerjoin(confirmer, confirmer.id == ServiceRecord.decided_by_id)
        .where(ServiceRecord.community_id == community_id)
        .order_by(ServiceRecord.activity_date, ServiceRecord.id)
        .execution_options(yield_per=BATCH)
    )
    if date_from:
        query = query.where(ServiceRecord.activity_date >= date_from)
    if date_to:
        query = query.where(ServiceRecord.activity_date <= date_to)
    if status:
        query = query.where(ServiceRecord.status == status)
    with force_locale("zh_CN"):
        # The session's connection, not the session: Core rows skip the ORM's per-row bookkeeping.
        for (name, number, activity, day, started, ended, place, content, minutes, unit, leader, category,
             record_status, backfill, evidence, confirmed_by, decided, record_id, corrects) in \
                db.session.connection().execute(query):
            yield (
                name, number or "", activity, days[day], clock[started], clock[ended], place, content,
                hours[minutes], unit, leader, labels[category], STATUS_LABELS.get(record_status, record_status),
                "是" if backfill else "否", evidence, confirmed_by or "", stamps[decided] if decided is not None else "",
                record_id, corrects or "",
            )


def csv_stream(community, date_from=None, date_to=None, status=None):
    """CSV text chunks (UTF-8 with BOM so that Excel opens Chinese correctly). The community's id and time zone
    are read now: the chunks are produced while the response streams, after the view has returned."""
    return _csv_chunks(community.id, community.timezone, date_from, date_to, status)


def _csv_chunks(community_id, timezone, date_from, date_to, status):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(export_columns())
    rows = _rows(community_id, timezone, date_from, date_to, status)
    while batch := list(islice(rows, CSV_CHUNK)):
        writer.writerows(batch)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


# --- XLSX ----------------------------------------------------------------------------------------------------------
# Cells are written as openpyxl's write-only mode writes them (inline strings, numbers as "%.16g", the cell's
# reference in ``r``), so that the file reads back the same. Differences: text is UTF-8 instead of character
# references; characters XML cannot hold are left out (openpyxl refused the whole export); text starting with "="
# or equal to an error code such as "#N/A" stays text (openpyxl made it a formula or an error value).

_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
def _text_cell(value):
    """A text cell after its reference: ``<c r="A2"`` + this."""
    value = _NOT_IN_XML.sub("", value[:32767])  # Excel's limit on the length of a cell, as openpyxl cuts it
    if not value:
        return ' t="inlineStr"></c>'
    text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f' t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _sheet_rows(rows, width, first):
    """The XML of each row, numbered from ``first``."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(index) for index in range(1, width + 1)]
    texts = _Memo(_text_cell)
    for number, values in enumerate(rows, start=first):
        cells = [f'<row r="{number}">']
        for letter, value in zip(letters, values, strict=True):
            if isinstance(value, str):  # long texts are rarely repeated: not remembered, to keep the memo small
                cell = texts[value] if len(value) <= MEMO_TEXT_LENGTH else _text_cell(value)
                cells.append(f'<c r="{letter}{number}"{cell}')
            elif value is not None:  # a number, as openpyxl writes it ("%.16g"); it left out None too
                cells.append(f'<c r="{letter}{number}" t="n"><v>{value:.16g}</v></c>')
        cells.append("</row>")
        yield "".join(cells)


def _package(header):
    """The parts of an XLSX file whose only sheet holds ``header``, as openpyxl writes it: ``[(name, bytes)]``."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=SHEET_TITLE)
    sheet.append(header)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as package:
        return [(item.filename, package.read(item)) for item in package.infolist()]


def xlsx_file(community, date_from=None, date_to=None, status=None):
    """An XLSX workbook written row by row to a temporary file; returns the file, at its start."""
    header = export_columns()
    rows = _sheet_rows(_rows(community.id, community.timezone, date_from, date_to, status), len(header), first=2)
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115  (send_file closes it)
    try:
        with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as package:
            for name, content in _package(header):
                if name != SHEET_PART:
                    package.writestr(name, content)
                    continue
                head, tail = content.split(b"</sheetData>")  # the header row is in ``head``
                part = zipfile.ZipInfo(name, date_time=datetime.now().timetuple()[:6])
                part.compress_type = zipfile.ZIP_DEFLATED
                with package.open(part, "w", force_zip64=True) as sheet:
                    sheet.write(head)
                    while batch := list(islice(rows, CSV_CHUNK)):
                        sheet.write("".join(batch).encode("utf-8"))
                    sheet.write(b"</sheetData>" + tail)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle


def record_export(community, actor, fmt, date_from, date_to):
    """Exports carry personal data: each one is written to the audit log. Commits."""
    from ..audit.services import record_audit
    from ..events import commit

    record_audit("ledger.exported", actor=actor, community=community,
                 detail={"format": fmt, "from": str(date_from or ""), "to": str(date_to or "")})
    commit()
