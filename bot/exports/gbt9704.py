"""The page and type of a 公文-style Word document, after GB/T 9704-2012 《党政机关公文格式》.

- A4 (210 × 297 mm); 版心 156 × 225 mm: 天头 (top) 37 mm, 订口 (left) 28 mm, so right 26 mm
  and bottom 35 mm.
- Body 仿宋_GB2312 三号 (16 pt) on a 22-line page: exact line pitch 225 mm / 22 = 28.95 pt;
  一级标题 黑体, 二级标题 楷体_GB2312, the 红头 title 方正小标宋简体; all the same size as the
  body except the title.
- Page numbers at the foot "— 1 —" in 4号 (14 pt) 半角宋体 digits, the dashes' line 7 mm
  below the 版心; odd pages on the right and even pages on the left, each one character in
  from the edge of the 版心 (the standard's own rule, for documents printed on both sides).

Paragraphs are set flush left rather than justified: Chinese characters all have the same
width, so a line is at most one character short, while LibreOffice stretches a justified line
at the boundaries of Chinese and digits — printing the "全区 13 个" gaps official typesetting
avoids.

Fonts are named the way Word and WPS on an office PC know them. Word reads CJK text's font
from ``w:rFonts/@w:eastAsia`` (``font.name`` alone leaves Chinese in the default font), and a
PC without 方正小标宋简体 or the *_GB2312 fonts falls back through the font table's
``w:altName`` (宋体, 仿宋, 楷体: on every Windows since XP). Chinese text is set without spaces
around numbers or Latin words, as official typesetting does (:func:`tight`).
"""

from __future__ import annotations

import re
from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"  # 一级标题: 一、…
SUBHEADING_FONT = "楷体_GB2312"  # 二级标题: （一）…
NUMBER_FONT = "宋体"  # page numbers
BODY_SIZE = 16.0  # 三号
SMALL_SIZE = 14.0  # 四号: page numbers, 版记, tables, captions
LINE_PITCH = Pt(28.95)  # 225 mm / 22 lines
INDENT = Pt(2 * BODY_SIZE)  # paragraphs start two characters in

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
TOP, BOTTOM, LEFT, RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
TEXT_WIDTH = Mm(156)  # 版心
# The footer's bottom edge; its one line of 4号 (about 6 mm) then starts 7 mm below the 版心.
FOOTER_DISTANCE = Mm(22)
RED = RGBColor(0xFF, 0x00, 0x00)
TITLE_SIZES = (36.0, 26.0, 24.0, 22.0)  # 小初, 一号, 小一, 二号: the largest that fits one line

# Word looks each of these up on the PC that opens the file; the alternative is what it uses
# when the font is not installed. Panose and charset 134 (GB2312) tell it the kind of face.
FONT_TABLE = (
    (TITLE_FONT, "宋体", "02010600030101010101", "roman"),
    (BODY_FONT, "仿宋", "02010609030101010101", "modern"),
    (SUBHEADING_FONT, "楷体", "02010609030101010101", "modern"),
    (HEADING_FONT, "", "02010609060101010101", "modern"),
    (NUMBER_FONT, "", "02010600030101010101", "auto"),
)

# The order of w:pPr's children (the schema fixes it; Word refuses a file that breaks it).
PPR_ORDER = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr",
    "w:widowControl", "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs",
    "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip


def _ppr_child(ppr: Any, tag: str) -> Any:
    """The w:pPr child ``tag``, added in its schema place if missing."""
    found = ppr.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        ppr.insert_element_before(found, *PPR_ORDER[PPR_ORDER.index(tag) + 1 :])
    return found


CJK = "\u2e80-\u2fff\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
SPACE_BY_CJK = re.compile(rf"(?<=[{CJK}])[ \t\u3000]+|[ \t\u3000]+(?=[{CJK}])")


def tight(text: str) -> str:
    """One line of Chinese text as official documents set it: no spaces next to a Chinese
    character or punctuation ("全区 32 个" → "全区32个"); spaces between Latin words stay."""
    return SPACE_BY_CJK.sub("", " ".join(text.split()))


def chinese_number(number: int) -> str:
    """一 … 九十九 for headings (（一）, （十二）); larger numbers stay Arabic."""
    digits = "零一二三四五六七八九"
    if not 0 < number < 100:
        return str(number)
    tens, ones = divmod(number, 10)
    if tens == 0:
        return digits[ones]
    return f"{'' if tens == 1 else digits[tens]}十{digits[ones] if ones else ''}"


# ----------------------------------------------------------------------------- page


def set_up_page(document: Any) -> None:
    """A4 with the standard's margins, body type on the 22-line grid, page numbers."""
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = TOP, BOTTOM
    section.left_margin, section.right_margin = LEFT, RIGHT
    section.header_distance, section.footer_distance = Mm(15), FOOTER_DISTANCE
    section.gutter = Mm(0)
    style = document.styles["Normal"]
    east_asia(style.element, BODY_FONT)
    style.font.name = BODY_FONT
    style.font.size = Pt(BODY_SIZE)
    paragraph = style.paragraph_format
    paragraph.line_spacing = LINE_PITCH  # a Length: exact spacing
    paragraph.space_before = paragraph.space_after = Pt(0)
    paragraph.widow_control = True
    # No extra gap between Chinese and digits or Latin letters (Word's and WPS's default adds
    # one, which prints as "全区 13 个"); official documents set them solid.
    for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
        _ppr_child(style.element.get_or_add_pPr(), tag).set(qn("w:val"), "0")
    document.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)
    declare_fonts(document)


def _page_number(paragraph: Paragraph, side: WD_ALIGN_PARAGRAPH) -> None:
    """ "— 7 —": 4号 宋体, one character in from the 版心's outer edge."""
    paragraph.alignment = side
    fmt = paragraph.paragraph_format
    fmt.line_spacing, fmt.first_line_indent = 1.0, Pt(0)
    if side == WD_ALIGN_PARAGRAPH.RIGHT:
        fmt.right_indent = Pt(SMALL_SIZE)
    else:
        fmt.left_indent = Pt(SMALL_SIZE)
    run(paragraph, "— ", NUMBER_FONT, size=SMALL_SIZE)
    _field_mark(paragraph, "begin")
    instruction = OxmlElement("w:instrText")  # what Word and LibreOffice evaluate
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    run(paragraph, "", NUMBER_FONT, size=SMALL_SIZE)._r.append(instruction)
    _field_mark(paragraph, "separate")
    run(paragraph, "1", NUMBER_FONT, size=SMALL_SIZE)  # shown until the field is updated
    _field_mark(paragraph, "end")
    run(paragraph, " —", NUMBER_FONT, size=SMALL_SIZE)


def _field_mark(paragraph: Paragraph, kind: str) -> None:
    """A field's begin, separator or end mark, in a run of its own."""
    mark = OxmlElement("w:fldChar")
    mark.set(qn("w:fldCharType"), kind)
    run(paragraph, "", NUMBER_FONT, size=SMALL_SIZE)._r.append(mark)


def declare_fonts(document: Any) -> None:
    """Add the Chinese fonts to word/fontTable.xml, each with the font Word should use when
    the PC lacks it (``w:altName``)."""
    part = next(
        p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml"
    )
    table = parse_xml(part.blob)
    known = {font.get(qn("w:name")) for font in table.findall(qn("w:font"))}
    for name, alternative, panose, family in FONT_TABLE:
        if name in known:
            continue
        font = OxmlElement("w:font")
        font.set(qn("w:name"), name)
        if alternative:
            alt = OxmlElement("w:altName")
            alt.set(qn("w:val"), alternative)
            font.append(alt)
        for tag, value in (("panose1", panose), ("charset", "86"), ("family", family),
                           ("pitch", "variable")):  # fmt: skip
            element = OxmlElement(f"w:{tag}")
            element.set(qn("w:val"), value)
            font.append(element)
        table.append(font)
    # python-docx keeps this part as bytes (it has no object model for the font table).
    part._blob = serialize_part_xml(table)


# ----------------------------------------------------------------------------- type


def east_asia(element: Any, font: str) -> None:
    """Set the font of Latin and CJK characters alike (w:rFonts ascii/hAnsi/eastAsia)."""
    fonts = element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(attribute), font)
    fonts.set(qn("w:hint"), "eastAsia")


def run(
    paragraph: Paragraph,
    text: str,
    font: str,
    *,
    size: float | None = None,
    bold: bool = False,
    color: RGBColor | None = None,
) -> Run:
    added = paragraph.add_run(text)
    added.font.name = font
    east_asia(added._element, font)
    if bold:
        added.bold = True
    if size is not None:
        added.font.size = Pt(size)
    if color is not None:
        added.font.color.rgb = color
    return added


def title_size(text: str) -> float:
    """The largest standard size at which the title fits one line of the 版心."""
    width = TEXT_WIDTH.pt
    return next((size for size in TITLE_SIZES if len(text) * size <= width), TITLE_SIZES[-1])


def single_spaced(paragraph: Paragraph, *, indent: Length | None = None) -> Paragraph:
    """For what the 22-line grid would clip: big titles, pictures, table cells."""
    paragraph.paragraph_format.line_spacing = 1.0
    paragraph.paragraph_format.first_line_indent = indent
    return paragraph


def rule(
    paragraph: Paragraph, *, edge: str = "bottom", color: str = "000000", size: int = 8
) -> None:
    """A line over or under the paragraph (``size`` in eighths of a point): the red line under
    the 报头, the 版记's lines (粗线 0.35 mm ≈ 8, 细线 0.25 mm ≈ 6)."""
    borders = _ppr_child(paragraph._p.get_or_add_pPr(), "w:pBdr")
    line = OxmlElement(f"w:{edge}")
    for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "1"),
                       ("w:color", color)):  # fmt: skip
        line.set(qn(key), value)
    borders.append(line)
