"""Parse XML that came from outside (supplier NF-e, bank files, SEFAZ answers) without trusting it.

`parse_xml(data, max_bytes=...)` returns the root element or raises `XmlRejected` (422, Portuguese
message). The parser never expands entities, never loads a DTD, never touches the network, and keeps
libxml2's default depth and size limits; a document that declares a DOCTYPE at all is refused, since
no fiscal or bank XML needs one and every entity attack (billion laughs, external entities reading
files or URLs) starts with one.
"""

import re

from django.utils.translation import gettext as _
from lxml import etree

from retaguarda.core.errors import ValidationFailed

# An NF-e with 990 items is about 1 MB; a month of OFX a few hundred kB.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_:]")


class XmlRejected(ValidationFailed):
    code = "core.xml_rejected"


def _parser() -> etree.XMLParser:
    # A parser per call: lxml parsers must not be shared between threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        huge_tree=False,
        remove_blank_text=False,
        collect_ids=False,
    )


def parse_xml(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """The root element of `data` (raw bytes, any declared encoding), or `XmlRejected`."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    data = bytes(data)
    if len(data) > max_bytes:
        raise XmlRejected(
            _("The XML file has %(size)s bytes; the limit is %(limit)s bytes.")
            % {"size": len(data), "limit": max_bytes}
        )
    if not data.strip():
        raise XmlRejected(_("The XML file is empty."))
    # Refuse a DOCTYPE before libxml2 reads it (ASCII-compatible encodings, which all NF-e and OFX use);
    # the checks after parsing cover the rest.
    first = _FIRST_ELEMENT.search(data)
    if b"<!DOCTYPE" in data[: first.start() if first else len(data)]:
        raise XmlRejected(_doctype_message())
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise XmlRejected(_("The file is not valid XML: %(reason)s") % {"reason": exc.msg or exc}) from None
    except ValueError as exc:  # e.g. a str with an encoding declaration slipped through
        raise XmlRejected(_("The file is not valid XML: %(reason)s") % {"reason": exc}) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise XmlRejected(_doctype_message())
    if next(root.iter(etree.Entity), None) is not None:
        raise XmlRejected(_("XML files with entities are not accepted."))
    return root


def _doctype_message() -> str:
    return _("XML files with a DOCTYPE (DTD or entities) are not accepted.")
