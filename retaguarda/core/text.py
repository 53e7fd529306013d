"""Text keys shared by every app: how names, headers and yes/no answers are compared."""

import re
import unicodedata


def fold(text: str | None) -> str:
    """Lower case, no accents, surrounding blanks removed: the search key for names (stored in
    `search_name`-style columns, so it works alike on both engines) and for spreadsheet headers."""
    text = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in text if not unicodedata.combining(c)).strip().lower()


def header_key(text: str | None) -> str:
    """A spreadsheet header as a column key: `"Preço de venda"` is `preco_de_venda`."""
    return re.sub(r"[^a-z0-9]+", "_", fold(text)).strip("_")
