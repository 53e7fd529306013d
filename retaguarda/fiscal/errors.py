"""Fiscal errors, each with a stable code the API and the pages show."""

from django.utils.translation import gettext_lazy as _

from retaguarda.core.errors import DomainError


class TaxError(DomainError):
    """The tax engine cannot compute a line: no rule fires, a CST it does not know, a missing rate."""

    code = "fiscal.tax"
    status = 422
    default_message = _("The taxes of this document could not be computed.")


class MixedTaxCodes(TaxError):
    """CST given to a Simples Nacional emitter, or CSOSN to one that is not (SEFAZ rejections 590/591)."""

    code = "fiscal.cst_csosn_mixed"


class MissingIbsCbs(TaxError):
    """A regime normal company must fill the IBS/CBS group from 2026."""

    code = "fiscal.ibs_cbs_missing"


class InvalidXml(DomainError):
    """The XML we built does not validate against the official schema: a bug to fix, never to send."""

    code = "fiscal.invalid_xml"
    status = 422
    default_message = _("The document's XML does not follow the official schema.")


class CertificateError(DomainError):
    code = "fiscal.certificate"
    status = 422
    default_message = _("The digital certificate could not be used.")


class TooManyItems(DomainError):
    code = "fiscal.too_many_items"
    status = 422
    default_message = _("A note holds at most 990 items.")
