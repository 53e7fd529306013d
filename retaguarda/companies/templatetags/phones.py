"""Brazilian phone numbers for templates: (11) 3333-4444, (11) 98765-4321, 0800 123 4567."""

from django import template

register = template.Library()


@register.filter
def phone(value) -> str:
    digits = "".join(c for c in str(value or "") if c.isdigit())
    if not digits:
        return ""
    if digits.startswith("0800") and len(digits) == 11:
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    if digits.startswith("55") and len(digits) in (12, 13):
        return f"+55 {phone(digits[2:])}"
    if len(digits) == 10:
        return f"({digits[:2]}) {digits[2:6]}-{digits[6:]}"
    if len(digits) == 11:
        return f"({digits[:2]}) {digits[2:7]}-{digits[7:]}"
    return digits
