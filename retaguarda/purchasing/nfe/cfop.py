"""The entry CFOP for the supplier's exit CFOP (a purchase for resale, 5102, enters as 1102).

Defaults a merchant expects; each company may replace any of them (`CfopMapping`, the page
/compras/cfop/); `entry_cfop` then falls back to the same operation with the direction digit
turned (5→1, 6→2, 7→3)."""

DEFAULT_ENTRY_CFOP = {
    "5101": "1102",
    "5102": "1102",
    "5403": "1403",
    "5405": "1403",
    "5401": "1403",
    "5910": "1910",
    "5911": "1911",
    "5949": "1949",
    "6101": "2102",
    "6102": "2102",
    "6401": "2403",
    "6403": "2403",
    "6404": "2403",
    "6910": "2910",
    "6911": "2911",
    "6949": "2949",
}
_DIRECTION = {"5": "1", "6": "2", "7": "3"}


def entry_cfop(exit_cfop: str, company_map: dict[str, str] | None = None) -> str:
    if company_map and exit_cfop in company_map:
        return company_map[exit_cfop]
    if exit_cfop in DEFAULT_ENTRY_CFOP:
        return DEFAULT_ENTRY_CFOP[exit_cfop]
    if len(exit_cfop) == 4 and exit_cfop[0] in _DIRECTION:
        return _DIRECTION[exit_cfop[0]] + exit_cfop[1:]
    return exit_cfop
