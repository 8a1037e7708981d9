"""Exports of service records (CSV and XLSX) with the national record fields, streamed in batches so that
100,000 rows need little memory."""

import csv
import io
import tempfile
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..communities.models import Membership
from ..extensions import db
from ..i18n import _
from ..identity.models import User
from .categories import ledger_category
from .models import ServiceRecord

BATCH = 2000


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
_RECORD_FIELDS = ("id", "category", "activity_name", "activity_date", "started_at", "ended_at", "place", "content",
                  "minutes", "organising_unit", "activity_leader", "status", "is_backfill", "evidence_note",
                  "decided_at", "corrects_id")


def _rows(community_id, timezone, date_from, date_to, status=None):
    """Yield one tuple of cell values per record, reading the database in batches."""
    tz = ZoneInfo(timezone)
    confirmer = aliased(User)
    query = (
        # Columns, not ORM objects: 100,000 records go through here, and loading each one into the session (and
        # expunging it) cost about as much as writing the file.
        select(*(getattr(ServiceRecord, name) for name in _RECORD_FIELDS), User.display_name,
               Membership.volunteer_number, confirmer.display_name)
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
    labels = {}
    with force_locale("zh_CN"):
        for row in db.session.execute(query):
            record = row  # the record's fields by name, then the three joined values
            name, number, confirmed_by = row[-3:]
            if record.category not in labels:
                category = ledger_category(record.category)
                labels[record.category] = str(category.label) if category else record.category
            yield (
                name, number or "", record.activity_name, record.activity_date.isoformat(),
                record.started_at.astimezone(tz).strftime("%H:%M"), record.ended_at.astimezone(tz).strftime("%H:%M"),
                record.place, record.content, round(record.minutes / 60, 2), record.organising_unit,
                record.activity_leader, labels[record.category], STATUS_LABELS.get(record.status, record.status),
                "是" if record.is_backfill else "否", record.evidence_note, confirmed_by or "",
                record.decided_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if record.decided_at else "",
                record.id, record.corrects_id or "",
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
    for count, row in enumerate(_rows(community_id, timezone, date_from, date_to, status), start=1):
        writer.writerow(row)
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_file(community, date_from=None, date_to=None, status=None):
    """An XLSX workbook written row by row (openpyxl write-only mode) to a temporary file; returns the file."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="志愿服务记录")
    sheet.append(export_columns())
    for row in _rows(community.id, community.timezone, date_from, date_to, status):
        sheet.append(list(row))
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115  (send_file closes it)
    workbook.save(handle)
    handle.seek(0)
    return handle


def record_export(community, actor, fmt, date_from, date_to):
    """Exports carry personal data: each one is written to the audit log. Commits."""
    from ..audit.services import record_audit
    from ..events import commit

    record_audit("ledger.exported", actor=actor, community=community,
                 detail={"format": fmt, "from": str(date_from or ""), "to": str(date_to or "")})
    commit()
