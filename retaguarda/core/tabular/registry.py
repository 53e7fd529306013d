"""The importer and exporter registry: each app registers its kinds from its `importers` module.

    tabular.register_importer(PartyImporter)   # name "parties", permission "parties.change"
    tabular.register_exporter(PartyExporter)   # name "parties", permission "parties.view"

`autodiscover()` imports `<app>.importers` of every installed app, so registering at that module's top
level is enough. The import page and the command list what the user may use (`importers_for(user)`).
"""

from django.core.exceptions import ImproperlyConfigured

from retaguarda.core.tabular.declarations import Exporter, Importer

_importers: dict[str, type[Importer]] = {}
_exporters: dict[str, type[Exporter]] = {}
_discovered = False


def _check(cls, kind: str) -> None:
    if not cls.name or not cls.permission:
        raise ImproperlyConfigured(f"{kind} {cls.__qualname__} must declare a name and a permission")


def register_importer(cls: type[Importer]) -> type[Importer]:
    _check(cls, "importer")
    _importers[cls.name] = cls
    return cls


def register_exporter(cls: type[Exporter]) -> type[Exporter]:
    _check(cls, "exporter")
    _exporters[cls.name] = cls
    return cls


def autodiscover() -> None:
    """Import `<app>.importers` of every installed app, which registers its importers and exporters; once
    per process (the menu asks on every page, and looking for the modules again cost each page 1-2 ms)."""
    global _discovered
    if _discovered:
        return
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("importers")
    _discovered = True


def importers() -> dict[str, type[Importer]]:
    autodiscover()
    return dict(sorted(_importers.items()))


def exporters() -> dict[str, type[Exporter]]:
    autodiscover()
    return dict(sorted(_exporters.items()))


def importers_for(user) -> dict[str, type[Importer]]:
    """The kinds `user` may import, each by its own app's permission."""
    return {name: cls for name, cls in importers().items() if user.has_perm(cls.permission)}


def exporters_for(user) -> dict[str, type[Exporter]]:
    return {name: cls for name, cls in exporters().items() if user.has_perm(cls.permission)}


def get_importer(name: str) -> type[Importer]:
    found = importers().get(name)
    if found is None:
        raise KeyError(name)
    return found


def get_exporter(name: str) -> type[Exporter]:
    found = exporters().get(name)
    if found is None:
        raise KeyError(name)
    return found
