"""From the file's bytes to text: the OFX header read, the encoding sniffed.

The header's CHARSET/ENCODING is often wrong (a windows-1252 file labelled USASCII, a UTF-8 one labelled
1252), so the bytes decide: valid UTF-8 is UTF-8 (latin-1 text with accents is practically never valid
UTF-8), anything else is windows-1252, which is latin-1 plus typographic characters in 0x80-0x9F."""

import re
from dataclasses import dataclass

MAX_BYTES = 20 * 1024 * 1024
_OFX_START = re.compile(rb"<\s*OFX[\s>]", re.IGNORECASE)


@dataclass(frozen=True)
class Decoded:
    version: int  # 1 for SGML, 2 for XML
    header: dict[str, str]
    encoding: str
    body: str  # from `<OFX` to the end
    document: str  # the whole text, prolog included (an XML file is parsed whole, DOCTYPE and all)


def decode(data: bytes) -> Decoded | None:
    """None when the bytes hold no OFX document."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    match = _OFX_START.search(data)
    if match is None:
        return None
    head = data[: match.start()]
    text, encoding = _text(data)
    head_text = _text(head)[0]
    if "OFXHEADER" in head_text.upper() and "<?" not in head_text:
        header = {}
        for line in head_text.splitlines():
            key, sep, value = line.partition(":")
            if sep:
                header[key.strip().upper()] = value.strip()
        version = 1
    elif "<?" in head_text:
        # OFX 2.x: an XML declaration and usually the <?OFX ...?> instruction.
        header = dict(re.findall(r'(\w+)\s*=\s*"([^"]*)"', head_text.split("<?OFX", 1)[-1]))
        version = 2
    elif not head_text.strip():
        header, version = {}, 1  # a bare <OFX> body: read it leniently
    else:
        return None
    start = re.search(r"<\s*OFX[\s>]", text, re.IGNORECASE)
    if start is None:
        return None
    return Decoded(version, header, encoding, text[start.start() :], text)


def _text(data: bytes) -> tuple[str, str]:
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"
