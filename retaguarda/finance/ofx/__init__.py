"""Our own OFX reader (ofxtools is GPL-3.0-only; ofxparse is unmaintained).

`read_ofx(data) -> OfxFile` takes the raw bytes of an OFX 1.x (SGML) or 2.x (XML) file as Brazilian banks
emit them: encoding sniffed whatever the header claims, unclosed tags, `[-3:BRT]` dates, decimal commas,
several bank or credit card statements in one file. Anything that is not OFX raises `OfxError` with a
message in Portuguese."""

from retaguarda.finance.ofx.reader import OfxError, OfxFile, OfxStatement, OfxTransaction, read_ofx

__all__ = ["OfxError", "OfxFile", "OfxStatement", "OfxTransaction", "read_ofx"]
