"""OFX markup to a tree of nodes. OFX 1.x (SGML) by our tolerant tokenizer: leaf elements (a tag followed
by its value) need no closing tag, and a closing tag closes every element opened since its own; no DTD, no
entity definitions and no external references are ever processed, only character references decoded in
values. OFX 2.x is XML and goes through `core.xml_safe.parse_xml` (a DOCTYPE or an entity is refused,
malformed XML too), then into the same nodes."""

import html
import re
from dataclasses import dataclass, field

from retaguarda.core.xml_safe import parse_xml

# The declaration's encoding is often wrong; the text was already decoded by sniffing the bytes.
_XML_DECLARATION = re.compile(r"^\s*<\?xml\b[^>]*\?>", re.IGNORECASE)

_TOKEN = re.compile(r"<!--.*?-->|<[?!][^>]*>|<(/?)\s*([A-Za-z0-9_.]+)[^>]*?(/?)>", re.DOTALL)


@dataclass
class Node:
    name: str
    text: str | None = None
    children: list["Node"] = field(default_factory=list)

    def iter(self, name: str):
        """Every descendant called `name`, in document order."""
        for child in self.children:
            if child.name == name:
                yield child
            yield from child.iter(name)

    def find(self, name: str) -> "Node | None":
        return next(self.iter(name), None)

    def value(self, name: str) -> str:
        """The text of the first descendant `name`, or ''."""
        node = self.find(name)
        return (node.text or "") if node is not None else ""


def parse(body: str) -> Node:
    root = Node("#root")
    stack = [root]
    tokens = list(_TOKEN.finditer(body))
    for i, token in enumerate(tokens):
        closing, name, self_closing = token.group(1), token.group(2), token.group(3)
        if name is None:
            continue  # comment, processing instruction, declaration
        name = name.upper()
        if closing:
            for depth in range(len(stack) - 1, 0, -1):
                if stack[depth].name == name:
                    del stack[depth:]
                    break
            continue  # the closing tag of a leaf (or a stray one): nothing to close
        end = tokens[i + 1].start() if i + 1 < len(tokens) else len(body)
        text = body[token.end() : end].strip()
        node = Node(name)
        stack[-1].children.append(node)
        if self_closing:
            node.text = ""
        elif text:
            node.text = html.unescape(text)
        else:
            stack.append(node)
    return root


def parse_xml_document(document: str, *, max_bytes: int) -> Node:
    """An OFX 2.x document (the whole decoded text, prolog included) through the safe XML parser;
    raises `XmlRejected`."""
    data = _XML_DECLARATION.sub("", document, count=1).encode("utf-8")
    root = Node("#root")
    root.children.append(_from_element(parse_xml(data, max_bytes=max_bytes)))
    return root


def _from_element(element) -> Node:
    node = Node(element.tag.rsplit("}", 1)[-1].upper())
    children = [child for child in element if isinstance(child.tag, str)]  # comments and PIs left out
    if children:
        node.children = [_from_element(child) for child in children]
    else:
        node.text = (element.text or "").strip()
    return node
