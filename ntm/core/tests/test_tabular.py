import io

import pytest
from openpyxl import Workbook

from ntm.core.tabular import ImportRefused, read_table

ALIASES = {"code": ["Mã"], "name": ["Tên đơn vị"]}


def test_csv_with_bom_and_vietnamese_headers_is_read():
    data = "\ufeffMã;Tên đơn vị\n07408;Xã Dương Đức\n\n07411;Xã Tân Thanh\n".encode()
    table = read_table(data, aliases=ALIASES, required=["code", "name"], filename="x.csv")
    assert table.rows == [
        (2, {"code": "07408", "name": "Xã Dương Đức"}),
        (4, {"code": "07411", "name": "Xã Tân Thanh"}),
    ]


def test_xlsx_first_sheet_is_read_and_numbers_keep_no_decimal_point():
    wb = Workbook()
    ws = wb.active
    ws.append(["MÃ", "tên đơn vị"])
    ws.append([24, "Tỉnh Bắc Giang"])
    buffer = io.BytesIO()
    wb.save(buffer)
    table = read_table(buffer.getvalue(), aliases=ALIASES, required=["code"], filename="x.xlsx")
    assert table.rows == [(2, {"code": "24", "name": "Tỉnh Bắc Giang"})]


def test_missing_required_column_is_named():
    with pytest.raises(ImportRefused) as info:
        read_table(b"code\n1\n", aliases=ALIASES, required=["code", "name"], filename="x.csv")
    assert [(e.row, e.column) for e in info.value.errors] == [(1, "name")]


def test_unsupported_file_type_is_refused():
    with pytest.raises(ImportRefused, match=r"\.pdf"):
        read_table(b"%PDF", aliases=ALIASES, required=["code"], filename="x.pdf")
