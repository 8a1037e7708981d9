"""Exports of service records: the values of each column, and the XLSX file against what openpyxl writes for the
same rows (the export writes the sheet itself, for speed)."""

import csv
import io
import zipfile

from openpyxl import Workbook, load_workbook

from timebank.extensions import db
from timebank.ledger import exports
from timebank.ledger.models import ServiceRecord


def export(client, fmt, query=""):
    response = client.get(f"/c/maple/ledger/export?format={fmt}{query}")
    assert response.status_code == 200
    data = response.get_data()
    response.close()
    return data


def csv_table(data):
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def reference_xlsx(seed, status=None):
    """The workbook as openpyxl's write-only mode writes the export's rows (how the export was written before)."""

    def build(community, users):
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=exports.SHEET_TITLE)
        sheet.append(exports.export_columns())
        for row in exports._rows(community.id, community.timezone, None, None, status):
            sheet.append(list(row))
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    return seed.call(build)


def header(seed):
    return seed.call(lambda community, users: exports.export_columns())


def sheet_values(data):
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == [exports.SHEET_TITLE]
    return list(workbook.active.values), workbook.active


def varied_records(seed):
    """Records of every status, a back-entry, a correction and text that XML and spreadsheets treat specially."""
    from timebank.ledger.corrections import correct
    from timebank.ledger.records import reject

    first = seed.record(confirm=True, minutes=90, place="3号楼", content="第一行\r\n第二行 & <b>粗</b> > 1",
                        evidence_note="  前后有空格  ", activity_leader="李 主任")
    formula = seed.record(hours_ago=60, minutes=45, content="=SUM(A1:A2)", evidence_note="#N/A")
    refused = seed.record(hours_ago=90, minutes=30)
    seed.record(hours_ago=120, minutes=60, is_backfill=True, evidence_note="签到表照片", confirm=True)

    def decide(community, users):
        reject(db.session.get(ServiceRecord, refused), community, users["maple.coord"], "时间不对")
        correct(db.session.get(ServiceRecord, first), community, users["maple.coord"], 60, "少算半小时")

    seed.call(decide)
    return first, formula, refused


def test_csv_values_of_every_column(seed, client, auth):
    first, formula, refused = varied_records(seed)
    auth.login("maple.coord")
    table = csv_table(export(client, "csv"))
    assert table[0] == header(seed)
    by_id = {row[17]: row for row in table[1:]}
    assert len(by_id) == 5
    row = by_id[str(first)]
    # 30 hours before 2026-11-20 12:00 UTC is 14:00 in Shanghai; confirmed at 20:00 there
    assert row[:9] == ["陈志强", row[1], "陪伴老人", "2026-11-19", "14:00", "15:30", "3号楼",
                       "第一行\r\n第二行 & <b>粗</b> > 1", "1.5"]
    assert row[1].startswith("V") and row[10] == "李 主任"
    assert row[12:17] == ["已确认", "否", "  前后有空格  ", "王芳", "2026-11-20 20:00"] and row[18] == ""
    correction = next(r for r in table[1:] if r[18] == str(first))
    assert correction[8] == "1.0" and correction[12] == "已确认"
    assert by_id[str(formula)][7] == "=SUM(A1:A2)" and by_id[str(formula)][12] == "待确认"
    assert by_id[str(formula)][15:17] == ["", ""]
    assert by_id[str(refused)][12] == "未通过"
    assert [r[13] for r in table[1:]].count("是") == 1
    assert [r[3] for r in table[1:]] == sorted(r[3] for r in table[1:])  # by service date
    assert len(csv_table(export(client, "csv", "&status=confirmed"))) == 1 + 3
    assert len(csv_table(export(client, "csv", "&status=pending&from=2026-11-01&to=2026-11-30"))) == 1 + 1


def test_xlsx_reads_back_as_openpyxl_wrote_it(seed, client, auth):
    first, formula, _refused = varied_records(seed)
    auth.login("maple.coord")
    for query, status in (("", None), ("&status=confirmed", "confirmed")):
        values, _sheet = sheet_values(export(client, "xlsx", query))
        expected, _sheet = sheet_values(reference_xlsx(seed, status))
        assert values == expected
        assert len(values) == 1 + (5 if status is None else 3)
    data = export(client, "xlsx")
    values, sheet = sheet_values(data)
    row = next(r for r in sheet.iter_rows(min_row=2) if r[17].value == formula)
    assert row[7].value == "=SUM(A1:A2)" and row[7].data_type == "s"  # text, never a formula
    assert row[14].value == "#N/A" and row[14].data_type == "s"
    row = next(r for r in values if r[17] == first)
    assert row[7] == "第一行\r\n第二行 & <b>粗</b> > 1" and row[8] == 1.5 and row[14] == "  前后有空格  "
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert package.testzip() is None
        sheet_xml = package.read(exports.SHEET_PART).decode("utf-8")
    assert '<t xml:space="preserve">  前后有空格  </t>' in sheet_xml  # Excel keeps the spaces only so


def test_text_xml_cannot_hold_is_left_out_of_the_xlsx_only(seed, client, auth):
    seed.record(confirm=True, evidence_note="铃声\x07记录\x1f")  # (PostgreSQL text holds no NUL)
    auth.login("maple.coord")
    assert csv_table(export(client, "csv"))[1][14] == "铃声\x07记录\x1f"
    values, _sheet = sheet_values(export(client, "xlsx"))
    assert values[1][14] == "铃声记录"


def test_times_are_local_to_the_community_across_a_clock_change(seed, client, auth):
    def move(community, users):
        community.timezone = "America/New_York"
        db.session.commit()

    seed.call(move)
    seed.record(confirm=True, hours_ago=30, minutes=60)  # 2026-11-19 06:00 UTC: 01:00 EST
    seed.record(confirm=True, hours_ago=480, minutes=60)  # 2026-10-31 12:00 UTC: 08:00 EDT
    auth.login("maple.coord")
    table = csv_table(export(client, "csv"))
    assert [row[3:6] for row in table[1:]] == [["2026-10-31", "08:00", "09:00"], ["2026-11-19", "01:00", "02:00"]]
    assert {row[16] for row in table[1:]} == {"2026-11-20 07:00"}
    values, _sheet = sheet_values(export(client, "xlsx"))
    assert [list(row[3:6]) for row in values[1:]] == [row[3:6] for row in table[1:]]


def test_an_empty_export_has_the_header_only(seed, client, auth):
    auth.login("maple.coord")
    assert csv_table(export(client, "csv")) == [header(seed)]
    values, _sheet = sheet_values(export(client, "xlsx"))
    assert values == [tuple(header(seed))]
