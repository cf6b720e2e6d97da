"""The cells of every CSV download, written by one rule: no text cell can run as a spreadsheet formula.

Spreadsheets run a cell that starts with = + - or @ as a formula (and skip a leading tab or
carriage return first), so text a walker or a user typed, such as `=HYPERLINK(…)`, would become a
live link or command. Such text gets a leading ' that shows it as text; the rest stays exactly as
written. Numbers stay numbers: only text is ever changed.
"""
FORMULA_STARTS = frozenset("=+-@\t\r")


def csv_cell(value):
    """Return text that a spreadsheet would run as a formula with a leading '; any other value as it is."""
    if value.__class__ is str and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def csv_row(row):
    """Return a row for csv.writer with every cell passed through csv_cell."""
    return [csv_cell(value) for value in row]
