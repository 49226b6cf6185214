"""Tables from a finder's grid, built from hand-made cell boxes and lines: no PDF needed."""

from ingest.document import BBox, Grid, Line
from ingest.tables import grid_rows, is_table, rows_to_table


def cell_line(text, x0, top, size=10.0):
    return Line(text, BBox(x0, top, x0 + size * len(text), top + size), size)


def test_wrapped_text_stays_in_its_cell_and_a_merged_cell_does_not_shift_its_neighbours():
    a, b, c = (50, 100), (100, 200), (200, 260)           # column x ranges
    rows = ((BBox(*a[:1], 10, a[1], 30), BBox(b[0], 10, b[1], 30), BBox(c[0], 10, c[1], 30)),
            (BBox(a[0], 30, a[1], 70), BBox(b[0], 30, b[1], 90), BBox(c[0], 30, c[1], 70)),
            (BBox(a[0], 70, a[1], 90), None, BBox(c[0], 70, c[1], 90)))
    grid = Grid(BBox(50, 10, 260, 90), rows)
    lines = [cell_line("年份", 55, 15), cell_line("评级机构", 105, 15), cell_line("展望", 205, 15),
             cell_line("2024", 55, 45), cell_line("甲信用评级", 105, 35), cell_line("有限公司", 105, 50),
             cell_line("稳定", 205, 45), cell_line("2023", 55, 75), cell_line("稳定", 205, 75)]
    got = grid_rows(lines, grid)
    assert got == [["年份", "评级机构", "展望"], ["2024", "甲信用评级有限公司", "稳定"], ["2023", "", "稳定"]]
    table = rows_to_table(got, "", None, None, (1,))
    assert table.rows == ((2024, "甲信用评级有限公司", "稳定"), (2023, "", "稳定"))


def test_a_lone_header_is_no_table_and_numbers_keep_their_form():
    assert not is_table([["甲", "乙", "丙"]])
    assert is_table([["甲", "乙"], ["1", "2"]])
    table = rows_to_table([["编码", "金额"], ["007", "1,234.00"], ["12", "0"]], "", None, None, ())
    assert table.rows == (("007", "1,234.00"), (12, 0))
