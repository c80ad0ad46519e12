"""The fixed parts of a one-sheet XLSX package (content types, relationships, workbook, styles) and XML text escaping.

Written by hand rather than through a library: the sheet itself is streamed by xlsx_table, and what surrounds it is
small and never changes. The styles are few and numbered here once (the STYLE_* indexes below)."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from xml.sax.saxutils import quoteattr

from cvdesk.exchange.cells import DATE_FORMAT, EURO_FORMAT

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
SHEET_PATH = "xl/worksheets/sheet1.xml"

# Indexes into cellXfs below.
STYLE_HEADER = 1  # bold on a light blue-grey fill
STYLE_EURO = 2
STYLE_DATE = 3
STYLE_CODE = 4  # number format « Texte » (@): a code stays text when someone edits the cell
STYLE_QUOTED = 5  # Excel's own « ' » prefix: text starting with = + - @ shown as typed and never run as a formula
STYLE_QUOTED_CODE = 6

# Characters XML 1.0 cannot carry at all (control characters other than tab, newline, carriage return).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Excel reads _x0041_ in a string as an escaped character; its own underscore escape keeps such text literal.
_EXCEL_ESCAPE = re.compile("_(x[0-9A-Fa-f]{4}_)")


def xml_text(text: str) -> str:
    """text as the content of a <t> element: control characters dropped, markup and Excel escapes neutralised."""
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("", text)
    if "_x" in text:
        text = _EXCEL_ESCAPE.sub(r"_x005F_\1", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # A reader turns a raw carriage return into a line feed (XML end-of-line rule); a character reference stays.
    return text.replace("\r", "&#13;") if "\r" in text else text


def column_letter(index: int) -> str:
    """A, B, … Z, AA… for the 0-based column index."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_title(label: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of : \\ / ? * [ ], not starting with a quote."""
    title = " ".join(re.sub(r"[:\\/?*\[\]]", " ", label).split()).strip("'")[:31].strip()
    return title or "Liste"


CONTENT_TYPES = (
    DECLARATION
    + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    f'<Override PartName="/{SHEET_PATH}" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    "</Types>"
)

PACKAGE_RELS = (
    DECLARATION
    + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    "</Relationships>"
)

WORKBOOK_RELS = (
    DECLARATION
    + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{RELATIONSHIPS}/styles" Target="styles.xml"/>'
    "</Relationships>"
)

_XF = '<xf numFmtId="{fmt}" fontId="{font}" fillId="{fill}" borderId="0" xfId="0"{extra}/>'
STYLES = (
    DECLARATION
    + f'<styleSheet xmlns="{MAIN}">'
    f'<numFmts count="2"><numFmt numFmtId="164" formatCode={quoteattr(EURO_FORMAT)}/>'
    f'<numFmt numFmtId="165" formatCode={quoteattr(DATE_FORMAT)}/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFDDE4EE"/><bgColor indexed="64"/></patternFill></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="7">'
    + _XF.format(fmt=0, font=0, fill=0, extra="")
    + '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1" '
    'applyAlignment="1"><alignment vertical="center"/></xf>'
    + _XF.format(fmt=164, font=0, fill=0, extra=' applyNumberFormat="1"')
    + _XF.format(fmt=165, font=0, fill=0, extra=' applyNumberFormat="1"')
    + _XF.format(fmt=49, font=0, fill=0, extra=' applyNumberFormat="1"')
    + _XF.format(fmt=0, font=0, fill=0, extra=' quotePrefix="1"')
    + _XF.format(fmt=49, font=0, fill=0, extra=' applyNumberFormat="1" quotePrefix="1"')
    + "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _quoted_sheet(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def workbook_xml(title: str, last_column: str, last_row: int) -> str:
    """The workbook: its one sheet, the autofilter's range (Excel keeps it as a hidden name) and the header row
    printed on every page."""
    sheet = xml_text(_quoted_sheet(title))
    return (
        DECLARATION
        + f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f'<sheets><sheet name={quoteattr(title)} sheetId="1" r:id="rId1"/></sheets>'
        "<definedNames>"
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
        f"{sheet}!$A$1:${last_column}${last_row}</definedName>"
        f'<definedName name="_xlnm.Print_Titles" localSheetId="0">{sheet}!$1:$1</definedName>'
        "</definedNames>"
        "</workbook>"
    )


def core_xml(title: str, now: datetime | None = None) -> str:
    """The document's properties (title, program, date) as the office tools show them."""
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        DECLARATION
        + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{xml_text(title)}</dc:title><dc:creator>cvdesk</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )
