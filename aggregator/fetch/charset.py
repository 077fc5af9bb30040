"""Text of fetched pages whose declared charset may be wrong or missing, or that a
site stored double-encoded."""

from __future__ import annotations

import codecs
import re

import ftfy

_CHARSET_SNIFF_BYTES = 8192

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([^\s;"']+)""", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""", re.IGNORECASE)
# UTF-8 read as Windows-1252: "Ã©" for "é", "â€™" for "’", "Â " for a no-break space.
_MOJIBAKE = re.compile(
    "Ã[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u2018-\u203a]|Â[\u00a0-\u00bf]|â€"
)


def repair_mojibake(text: str) -> str:
    """Text with evident double-encoding undone (ftfy), else unchanged.

    >>> repair_mojibake("JournÃ©e rÃ©gionale Ã  Lille")
    'Journée régionale à Lille'
    >>> repair_mojibake("Journée régionale")
    'Journée régionale'
    """
    return ftfy.fix_encoding(text) if _MOJIBAKE.search(text) else text


def decode_body(body: bytes, content_type_header: str | None) -> str:
    """The text of a page whose declared charset may be wrong or missing; never raises.

    Order: BOM; strict UTF-8 (a page declared Latin-1 that is really UTF-8 is common,
    the reverse almost never decodes); the HTTP charset; <meta> or the XML declaration;
    Windows-1252, the superset of Latin-1 that French editors actually type in.
    Evident mojibake ("RÃ©union") is then undone: the date and place readers need the
    words ("dÃ©cembre", "Saint-Ã‰tienne") as written.
    """
    return repair_mojibake(_decoded(body, content_type_header))


def _decoded(body: bytes, content_type_header: str | None) -> str:
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for label in (_header_charset(content_type_header), _document_charset(body)):
        codec = _codec(label)
        if codec is None:
            continue
        try:
            return body.decode(codec)
        except (UnicodeDecodeError, LookupError):  # LookupError: not a text codec
            continue
    return body.decode("cp1252", errors="replace")


def _header_charset(content_type_header: str | None) -> str | None:
    match = _HEADER_CHARSET.search(content_type_header or "")
    return match.group(1) if match else None


def _document_charset(body: bytes) -> str | None:
    head = body[:_CHARSET_SNIFF_BYTES]
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None


def _codec(label: str | None) -> str | None:
    """Python codec for a declared charset; None when unknown or useless here."""
    if not label:
        return None
    try:
        name = codecs.lookup(label).name
    except (LookupError, ValueError):  # ValueError: a NUL in the label
        return None
    if name in ("iso8859-1", "ascii"):
        return "cp1252"  # as browsers do: such pages routinely contain ’ œ € …
    if name == "utf-8" or name.startswith(("utf-16", "utf-32")):
        return None  # UTF-8 already failed; UTF-16/32 without a BOM is a mislabel
    return name
