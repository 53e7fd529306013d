"""Another system's export read as it is: a layout names its headers for our columns.

A merchant moving from Bling or Tiny uploads the file that system exported. Its headers do not
always mean what ours do (Bling's `Descrição` is the product's name, ours is its long text), so an
importer lists the layouts it knows; the first whose `signature` headers are all in the file decides
how that file's headers are read. Columns a layout does not name keep their own names and aliases.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from retaguarda.core.tabular.declarations import Column
from retaguarda.core.text import header_key


@dataclass(frozen=True)
class Layout:
    name: str  # "bling", "tiny"
    signature: tuple[str, ...]  # headers (any case or accents) that together identify the file
    headers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # our column -> its headers

    def fits(self, header: list[str]) -> bool:
        keys = {header_key(h) for h in header}
        return all(header_key(s) in keys for s in self.signature)

    def columns(self, columns: Sequence[Column]) -> list[Column]:
        """Our columns with the layout's headers as their only names, matched before the others."""
        taken = {header_key(h) for names in self.headers.values() for h in names}
        named = [replace(c, aliases=self.headers[c.name]) for c in columns if c.name in self.headers]
        # match_columns gives a header to the first column naming it: a column whose own name is one of
        # the layout's headers for another column (Bling's "Descrição" is our "nome") comes after it.
        named.sort(key=lambda c: header_key(c.name) in taken and header_key(c.name) not in map(header_key, c.aliases))
        return named + [c for c in columns if c.name not in self.headers]


def layout_of(header: list[str], layouts: Sequence[Layout]) -> Layout | None:
    return next((layout for layout in layouts if layout.fits(header)), None)
