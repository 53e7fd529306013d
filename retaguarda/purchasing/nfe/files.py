"""Uploaded files to XML documents: plain XML files, or zips of them, with limits that stop zip bombs."""

import io
import zipfile

from django.utils.translation import gettext as _

from retaguarda.core.xml_safe import DEFAULT_MAX_BYTES
from retaguarda.purchasing.errors import NfeRejected

MAX_FILES = 500
MAX_TOTAL_BYTES = 100 * 1024 * 1024


def xml_documents(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """(name, bytes) of every document uploaded; a zip's members are read with a bounded read each
    (a zip's declared sizes may lie). Nested zips and other members are refused."""
    documents: list[tuple[str, bytes]] = []
    total = 0
    for name, data in files:
        if not zipfile.is_zipfile(io.BytesIO(data)):
            documents.append((name, data))
            total += len(data)
            continue
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = [m for m in archive.infolist() if not m.is_dir()]
                if len(members) > MAX_FILES:
                    raise NfeRejected(_("%(name)s: more than %(n)s files.") % {"name": name, "n": MAX_FILES})
                for member in members:
                    if member.file_size > DEFAULT_MAX_BYTES:
                        raise NfeRejected(_("%(name)s: a file in the zip is too large.") % {"name": name})
                    with archive.open(member) as stream:
                        content = stream.read(DEFAULT_MAX_BYTES + 1)
                    if len(content) > DEFAULT_MAX_BYTES:
                        raise NfeRejected(_("%(name)s: a file in the zip is too large.") % {"name": name})
                    total += len(content)
                    if total > MAX_TOTAL_BYTES:
                        raise NfeRejected(_("The files are too large together."))
                    documents.append((f"{name}/{member.filename}", content))
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError) as exc:
            raise NfeRejected(_("%(name)s: the zip file cannot be read.") % {"name": name}) from exc
        if total > MAX_TOTAL_BYTES:
            raise NfeRejected(_("The files are too large together."))
    if not documents:
        raise NfeRejected(_("Choose at least one XML or zip file."))
    if len(documents) > MAX_FILES:
        raise NfeRejected(_("At most %(n)s files at once.") % {"n": MAX_FILES})
    return documents
