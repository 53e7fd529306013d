# Django groups every integer a template prints once thousand separators are on, ids and years included
# ("1.712"), and a form cannot read such an id back. Templates print plain integers; money and quantities
# are grouped on purpose by core.formats.grouped (the brl and qty filters). Input still accepts "1.500,00":
# Django strips the separator from localized input because USE_THOUSAND_SEPARATOR stays on.
NUMBER_GROUPING = 0
