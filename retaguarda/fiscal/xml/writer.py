"""nfelib's bindings written as XML text, then parsed once by lxml.

xsdata's generic serializer spends about 75 µs per element (xsi types, wildcards, mixed content,
namespace bookkeeping): 2.5 s for a 990-item note. The NF-e bindings use a small part of what it
covers: elements and attributes, single or repeated, holding text, enums or other bindings. This
writer handles exactly that part, from xsdata's own metadata (the field order is the schema's
sequence) computed once per class, and raises on anything else rather than write it wrong. Joining
strings and parsing the result once is about twice as fast as building the tree node by node. Tests
check it against xsdata's serializer, byte for byte, on every kind of note we build.
"""

import functools
from enum import Enum

from lxml import etree
from xsdata.formats.converter import converter
from xsdata.formats.dataclass.context import XmlContext

_context = XmlContext()

# What one field becomes: (attribute name, namespace, local XML name, is_attribute, is_list, is_binding, format)
_Field = tuple[str, str, str, bool, bool, bool, str | None]


@functools.cache
def _fields(cls: type) -> tuple[_Field, ...]:
    fields = []
    for var in _context.build(cls).get_all_vars():
        if var.is_wildcard or var.is_elements or var.tokens or var.mixed or var.sequence is not None or var.is_text:
            raise NotImplementedError(f"{cls.__qualname__}.{var.name}: a field kind this writer does not handle")
        namespace, local = _split(var.qname)
        fields.append(
            (var.name, namespace, local, var.is_attribute, var.list_element, var.clazz is not None, var.format)
        )
    return tuple(fields)


def _split(qname: str) -> tuple[str, str]:
    if qname.startswith("{"):
        namespace, _brace, local = qname[1:].partition("}")
        return namespace, local
    return "", qname


def _escape(text: str) -> str:
    for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("\r", "&#13;")):
        if raw in text:
            text = text.replace(raw, escaped)
    return text


def _text(value, form: str | None) -> str:
    if isinstance(value, str):
        return _escape(value)
    if isinstance(value, Enum):
        return _text(value.value, form)
    return _escape(converter.serialize(value, format=form))


def _open(local: str, namespace: str, parent_namespace: str) -> str:
    return f'{local} xmlns="{namespace}"' if namespace != parent_namespace else local


def _write(out: list[str], obj, opening: str, namespace: str) -> None:
    """The element opened by `opening` (its namespace declared when it changes) holding `obj`."""
    attributes, children = [], []
    for name, child_namespace, local, is_attribute, is_list, is_binding, form in _fields(type(obj)):
        value = getattr(obj, name)
        if value is None:
            continue
        if is_attribute:
            attributes.append(f' {local}="{_text(value, form)}"')
        else:
            children.append((child_namespace, local, is_list, is_binding, form, value))
    out.append(f"<{opening}{''.join(attributes)}>")
    for child_namespace, local, is_list, is_binding, form, value in children:
        child_opening = _open(local, child_namespace, namespace)
        for item in value if is_list else (value,):
            if is_binding:
                _write(out, item, child_opening, child_namespace)
                out.append(f"</{local}>")
            else:
                out.append(f"<{child_opening}>{_text(item, form)}</{local}>")


def write(obj, qname: str) -> etree._Element:
    """The element `qname` holding the binding `obj` (its namespace the default one)."""
    namespace, local = _split(qname)
    out: list[str] = []
    _write(out, obj, _open(local, namespace, ""), namespace)
    out.append(f"</{local}>")
    return etree.fromstring("".join(out).encode())
