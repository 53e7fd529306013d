"""DANFE (NF-e) and DANFCE (NFC-e) PDFs from the archived XML, with brazilfiscalreport: the NT 2026.010
layout (IBS/CBS totals) for notes issued from 2026-12-01, the MOC 7.0 one before (`AUTO` picks by
the issue date); homologação notes carry the "SEM VALOR FISCAL" watermark. The DACCe (a correction
letter's print) from the registered event."""

import re
import types
from io import BytesIO

from brazilfiscalreport.dacce import DaCCe
from brazilfiscalreport.danfce import Danfce
from brazilfiscalreport.danfe import DanfeConfig, DanfeLayout
from brazilfiscalreport.danfe.danfe import resolve_layout
from brazilfiscalreport.danfe.danfe_moc_7_0 import DanfeMoc70
from brazilfiscalreport.danfe.danfe_nt_2026_010 import DanfeNt2026010

from retaguarda.fiscal.models import DocumentModel, FiscalDocument, FiscalEvent
from retaguarda.fiscal.states import DocumentState

_SVG_SIZE = re.compile(rb'<svg [^>]*width="([0-9.]+)mm" height="([0-9.]+)mm"')
_SVG_BAR = re.compile(rb'<rect x="([0-9.]+)mm" y="([0-9.]+)mm" width="([0-9.]+)mm" height="([0-9.]+)mm"')


class _Faster:
    """Shortcuts over brazilfiscalreport's DANFE that leave the page as it was (timed in `bench nfe`):

    - text is wrapped by words measured once each (a cache per font), instead of fpdf2's line breaker
      (`multi_cell(dry_run=True)`, about 1 ms per cell) for every cell of every product row; any text
      this wrapper is not sure about (line breaks, repeated spaces, a word wider than the column, a
      line within 0.01 mm of the edge) still goes to fpdf2, and a test holds the two to the same lines;
    - the library lays the product table out twice (once with writing off, to split the pages): in
      that dry pass a product cell is not typeset, since the row then moves to the next cell by itself;
    - the access key's barcode, handed to fpdf2 as an SVG on every header drawn (twice per page with the
      dry passes), is drawn as the SVG's own rectangles instead of through fpdf2's SVG renderer.
    """

    _in_product_row = False

    def _split_text_lines(self, text, width):
        lines = self._wrapped(text, width - 2 * self.c_margin)
        return lines if lines is not None else super()._split_text_lines(text, width)

    def _wrapped(self, text: str, available: float) -> list[str] | None:
        lines = []
        for paragraph in text.split("\n"):  # a line break in the text is a forced one, as in fpdf2
            wrapped = self._wrapped_paragraph(paragraph, available)
            if wrapped is None:
                return None
            lines.extend(wrapped)
        return lines

    def get_string_width(self, s, normalized=False, markdown=False):
        # Measured once per font and text: the tables measure the same labels and words again and again.
        if markdown:
            return super().get_string_width(s, normalized, markdown)
        cache = self.__dict__.setdefault("_widths", {})
        key = (self.font_family, self.font_style, self.font_size_pt, self.font_stretching, self.char_spacing, s)
        width = cache.get(key)
        if width is None:
            width = cache[key] = super().get_string_width(s, normalized)
        return width

    def _wrapped_paragraph(self, text: str, available: float) -> list[str] | None:
        if not text or "  " in text or text != text.strip():
            return None
        space = self.get_string_width(" ")
        lines, current, used = [], [], 0.0
        for word in text.split(" "):
            width = self.get_string_width(word)
            wanted = used + space + width if current else width
            if abs(wanted - available) < 0.01 or width >= available - 0.01:
                return None  # fpdf2 decides the borderline cases and the words it must cut
            if wanted < available:
                current.append(word)
                used = wanted
            else:
                lines.append(" ".join(current))
                current, used = [word], width
        lines.append(" ".join(current))
        return lines

    def _draw_product_row(self, product, col_widths):
        self._in_product_row = True
        try:
            return super()._draw_product_row(product, col_widths)
        finally:
            self._in_product_row = False

    def cell(self, *args, **kwargs):
        if self._in_product_row and not isinstance(self._out, types.MethodType):
            return False  # writing is off (fpdf2's own test for it): a layout pass, and the row repositions
        return super().cell(*args, **kwargs)

    def image(self, name, x=None, y=None, w=0, h=0, *args, **kwargs):
        svg = name.getvalue() if isinstance(name, BytesIO) else b""
        size = _SVG_SIZE.search(svg) if b"python-barcode" in svg[:600] else None
        if size is None or not (w and h):
            return super().image(name, x, y, w, h, *args, **kwargs)
        scale_x, scale_y = w / float(size.group(1)), h / float(size.group(2))
        with self.local_context(fill_color=(0, 0, 0)):  # the black bars; the page under them is white
            for bar in _SVG_BAR.finditer(svg):
                bx, by, bw, bh = (float(v) for v in bar.groups())
                self.rect(x + bx * scale_x, y + by * scale_y, bw * scale_x, bh * scale_y, style="F")
        return None


class _Nt2026010(_Faster, DanfeNt2026010):
    pass


class _Moc70(_Faster, DanfeMoc70):
    pass


def _danfe(text: str, config: DanfeConfig):
    """brazilfiscalreport's `Danfe` factory (the layout in force on the issue date), with the shortcuts."""
    if resolve_layout(text, config.layout) == DanfeLayout.MOC_7_0:
        return _Moc70(text, config=config)
    return _Nt2026010(text, config=config)


def render(document: FiscalDocument, xml: bytes) -> bytes:
    text = xml.decode("utf-8")
    if document.model == DocumentModel.NFCE:
        pdf = Danfce(text)
    else:
        pdf = _danfe(text, DanfeConfig(watermark_cancelled=document.state == DocumentState.CANCELLED))
    return bytes(pdf.output())


def filename(document: FiscalDocument) -> str:
    prefix = "DANFCE" if document.model == DocumentModel.NFCE else "DANFE"
    return f"{prefix}-{document.key}.pdf"


def render_correction(event: FiscalEvent) -> bytes:
    """The DACCe of a registered correction letter (its procEventoNFe), the emitter as the note has it."""
    data = event.document.emitter_data
    emitter = {
        "nome": data.get("legal_name", ""),
        "end": ", ".join(part for part in (data.get("street"), data.get("number"), data.get("complement")) if part),
        "bairro": data.get("district", ""),
        "cep": data.get("postal_code", ""),
        "cidade": data.get("municipality_name", ""),
        "uf": data.get("uf", ""),
        "fone": data.get("phone", ""),
        "ie": data.get("state_registration", ""),
    }
    return bytes(DaCCe(xml=event.xml, emitente=emitter).output())


def correction_filename(event: FiscalEvent) -> str:
    return f"DACCe-{event.document.key}-{event.sequence:02d}.pdf"
