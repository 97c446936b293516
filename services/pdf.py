"""A small text-only PDF writer (PDF 1.4, Helvetica, A4), for the drafted documents (test
plans, certificates, packing lists, invoices) as downloads: no layout engine, no dependency.

`html_to_pdf` reads the text of our own simple HTML documents (headings, paragraphs, lists,
tables as "cell | cell" rows) and `text_pdf` sets it as lines, wrapped, paged."""

from __future__ import annotations

import re
import textwrap
from html import unescape

PAGE_W, PAGE_H = 595, 842  # A4 in points
MARGIN = 50
FONT_PT, LEADING = 10, 14
HEADING_PT = 14
WRAP = 95  # characters per line at 10 pt Helvetica across the text width (about)
LINES_PER_PAGE = (PAGE_H - 2 * MARGIN) // LEADING
HEADING = "\x01"  # a line starting with it is a heading (no text of ours starts so)

_DROP = re.compile(r"<(style|script|head)\b.*?</\1>", re.S | re.I)
_TITLE = re.compile(r"<title>(.*?)</title>", re.S | re.I)
_BREAK = re.compile(r"<(br|/p|/h[1-6]|/tr|/li|/ul|/table|/div|/dt|/dd)\b[^>]*>", re.I)
_HEADING = re.compile(r"<h[1-6]\b[^>]*>", re.I)
_CELL = re.compile(r"</t[dh]>\s*<t[dh]\b[^>]*>", re.I)
_ITEM = re.compile(r"<li\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")


def html_text(html: str) -> tuple[str, list[str]]:
    """(title, lines) of a simple HTML document; headings start with HEADING."""
    title_match = _TITLE.search(html)
    title = unescape(_TAG.sub("", title_match.group(1))).strip() if title_match else ""
    body = _DROP.sub("", html)
    body = _HEADING.sub("\n" + HEADING, body)
    body = _CELL.sub(" | ", body)
    body = _ITEM.sub("\n- ", body)
    body = _BREAK.sub("\n", body)
    text = unescape(_TAG.sub("", body)).replace("\xa0", " ")
    lines = [
        (HEADING if line.startswith(HEADING) else "") + " ".join(line.strip(HEADING).split())
        for line in text.splitlines()
    ]
    out: list[str] = []
    for line in lines:
        if line.strip(HEADING) or (out and out[-1]):  # at most one blank line in a row
            out.append(line)
    return title, out


def html_to_pdf(html: str) -> bytes:
    """The text of an HTML document as a PDF."""
    title, lines = html_text(html)
    return text_pdf(lines, title)


def _escape(text: str) -> bytes:
    """A PDF string literal's bytes (WinAnsi: what cp1252 cannot say becomes '?')."""
    raw = text.encode("cp1252", "replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _set(lines: list[str]) -> list[tuple[str, bool]]:
    """Lines wrapped to the text width; (text, is_heading)."""
    out: list[tuple[str, bool]] = []
    for line in lines:
        heading = line.startswith(HEADING)
        text = line[len(HEADING) :] if heading else line
        wrapped = textwrap.wrap(text, WRAP, subsequent_indent="  ") if text else [""]
        out += [(w, heading) for w in wrapped]
    return out


def text_pdf(lines: list[str], title: str = "") -> bytes:
    """Lines of text (a line starting with HEADING is a heading) as an A4 PDF, as many pages as
    they need; `title` goes in the document information."""
    rows = _set(lines) or [("", False)]
    pages = [rows[i : i + LINES_PER_PAGE] for i in range(0, len(rows), LINES_PER_PAGE)]
    objects: list[bytes] = []  # object n is objects[n - 1]
    first_page = 5  # 1 catalog, 2 pages, 3 font, 4 bold font, then (page, content) pairs
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    for font in ("Helvetica", "Helvetica-Bold"):
        objects.append(
            f"<< /Type /Font /Subtype /Type1 /BaseFont /{font} "
            "/Encoding /WinAnsiEncoding >>".encode()
        )
    for i, page in enumerate(pages):
        content = _content(page)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] "
            f"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> "
            f"/Contents {first_page + 2 * i + 1} 0 R >>".encode()
        )
        objects.append(
            f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream"
        )
    objects.append(b"<< /Title (" + _escape(title) + b") /Producer (TrendForge) >>")
    return _file(objects, info=len(objects))


def _content(rows: list[tuple[str, bool]]) -> bytes:
    """One page's content stream: each row at its line, headings bold and larger."""
    out = [b"BT", f"{MARGIN} {PAGE_H - MARGIN} Td".encode()]
    for text, heading in rows:
        font = f"/F2 {HEADING_PT} Tf" if heading else f"/F1 {FONT_PT} Tf"
        out.append(f"0 -{LEADING} Td {font}".encode())
        out.append(b"(" + _escape(text) + b") Tj")
    out.append(b"ET")
    return b"\n".join(out)


def _file(objects: list[bytes], info: int) -> bytes:
    """Header, the numbered objects, the cross-reference table and the trailer."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {info} 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)
