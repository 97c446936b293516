"""The text-only PDF writer, checked by reading its structure back: header, objects at the
offsets the cross-reference table gives, stream lengths, page count, the text itself."""

from __future__ import annotations

import re

from services.pdf import HEADING, LINES_PER_PAGE, html_text, html_to_pdf, text_pdf


def parse(pdf: bytes) -> dict[int, bytes]:
    """Objects by number, found through the xref table and trailer (fails on a bad offset)."""
    assert pdf.startswith(b"%PDF-1.4\n") and pdf.rstrip().endswith(b"%%EOF")
    start = int(re.search(rb"startxref\n(\d+)\n%%EOF", pdf).group(1))  # type: ignore[union-attr]
    assert pdf[start:].startswith(b"xref\n")
    head = re.match(rb"xref\n0 (\d+)\n", pdf[start:])
    assert head is not None
    count = int(head.group(1))
    entries = pdf[start + head.end() :].split(b"\n")[:count]
    assert entries[0] == b"0000000000 65535 f "
    objects = {}
    for n, entry in enumerate(entries[1:], start=1):
        offset, _, kind = entry.split(b" ")[:3]
        assert kind == b"n"
        at = int(offset)
        assert pdf[at:].startswith(f"{n} 0 obj\n".encode()), (n, pdf[at : at + 20])
        end = pdf.index(b"\nendobj\n", at)
        objects[n] = pdf[at + len(f"{n} 0 obj\n") : end]
    trailer = pdf[pdf.index(b"trailer", start) :]
    assert f"/Size {count}".encode() in trailer and b"/Root 1 0 R" in trailer
    return objects


def streams(objects: dict[int, bytes]) -> list[bytes]:
    """Every content stream, its /Length checked."""
    out = []
    for body in objects.values():
        m = re.match(rb"<< /Length (\d+) >>\nstream\n", body)
        if m:
            data = body[m.end() : body.rindex(b"\nendstream")]
            assert len(data) == int(m.group(1))
            out.append(data)
    return out


def test_a_short_document_is_one_page_with_its_text() -> None:
    pdf = text_pdf(
        [HEADING + "Packing list", "1,600 units (14 cartons)", "price: 2 (USD) \\ unit"], "PL"
    )
    objects = parse(pdf)
    assert b"/Type /Catalog" in objects[1] and b"/Count 1" in objects[2]
    [content] = streams(objects)
    assert b"/F2 14 Tf" in content and b"(Packing list) Tj" in content
    assert b"(price: 2 \\(USD\\) \\\\ unit) Tj" in content  # escaped, as PDF strings need
    assert b"/Title (PL)" in objects[max(objects)]


def test_long_text_runs_onto_more_pages_and_long_lines_wrap() -> None:
    lines = [f"line {i}" for i in range(LINES_PER_PAGE * 2 + 5)] + ["word " * 60]
    objects = parse(text_pdf(lines))
    pages = [b for b in objects.values() if b.startswith(b"<< /Type /Page ")]
    assert len(pages) == 3 and b"/Count 3" in objects[2]
    text = b"".join(streams(objects))
    assert text.count(b") Tj") == LINES_PER_PAGE * 2 + 5 + 4  # 300 characters: 4 lines
    assert b"(line 0) Tj" in text and f"(line {LINES_PER_PAGE * 2 + 4}) Tj".encode() in text


def test_html_documents_read_as_lines() -> None:
    html = (
        "<!doctype html><html><head><title>Children&#x27;s Product Certificate (draft)</title>"
        "<style>td{color:red}</style></head><body><h1>CPC</h1><p>Market: US · ships 2026-09-01"
        "</p><table><tr><th>#</th><th>field</th></tr><tr><td>1</td><td>&nbsp;</td></tr></table>"
        "<ul><li>ASTM F963-23</li><li>16 CFR 1501</li></ul></body></html>"
    )
    title, lines = html_text(html)
    assert title == "Children's Product Certificate (draft)"
    assert HEADING + "CPC" in lines and "# | field" in lines and "1 |" in lines
    assert "- ASTM F963-23" in lines and not any("color" in x for x in lines)
    pdf = html_to_pdf(html)
    content = b"".join(streams(parse(pdf)))
    assert b"/F2 14 Tf\n(CPC) Tj" in content and b"/F1 10 Tf\n(# | field) Tj" in content
    assert b"(Market: US \xb7 ships 2026-09-01) Tj" in content  # the middle dot in WinAnsi
