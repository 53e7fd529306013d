"""IE check digits for every state, against the examples the states publish in their roteiros."""

import pytest
from django.core.exceptions import ValidationError

from retaguarda.core.state_registration import RULES, is_valid_ie, normalize_ie, sample_ie, validate_ie

# (UF, IE) as the states' roteiros de crítica give them (SINTEGRA), the mask kept where they show one.
PUBLISHED = [
    ("AC", "01.004.823/001-12"),
    ("AL", "240000048"),
    ("AM", "99.999.999-0"),
    ("AP", "030123459"),
    ("BA", "123456-63"),  # 8 digits, modulus 10
    ("BA", "612345-57"),  # 8 digits starting 6: modulus 11
    ("BA", "1234567-48"),  # 9 digits, second digit 2: modulus 10
    ("BA", "1623456-51"),  # 9 digits, second digit 6: modulus 11
    ("BA", "1000003-06"),
    ("CE", "06000001-5"),
    ("DF", "07300001001-09"),
    ("ES", "99999999-0"),
    ("GO", "10.987.654-7"),
    ("GO", "11.094.402-0"),  # the one number with two accepted digits
    ("GO", "11.094.402-1"),
    ("MA", "12000038-5"),
    ("MG", "062.307.904/0081"),
    ("MS", "28312345-1"),
    ("MT", "0013000001-9"),
    ("PA", "15-999999-5"),
    ("PB", "06000001-5"),
    ("PE", "0321418-40"),  # e-Fisco
    ("PE", "18.1.001.0000004-9"),  # former CACEPE
    ("PI", "01234567-9"),
    ("PR", "123.45678-50"),
    ("RJ", "99.999.99-3"),
    ("RN", "20.040.040-1"),
    ("RN", "20.0.040.040-0"),
    ("RO", "101.62521-3"),  # before August 2000
    ("RO", "0000000062521-3"),
    ("RR", "24006628-1"),
    ("RS", "224/3658792"),
    ("SC", "251.040.852"),
    ("SE", "27123456-3"),
    ("SP", "110.042.490.114"),
    ("SP", "P-01100424.3/002"),  # rural producer
    ("TO", "29.01.022783-6"),  # former 11-digit format
    ("TO", "29.022783-6"),
]


def test_every_state_has_a_rule_and_a_published_example():
    assert len(RULES) == 27
    assert {uf for uf, _ie in PUBLISHED} == set(RULES)


@pytest.mark.parametrize(("uf", "ie"), PUBLISHED)
def test_published_examples_are_valid(uf, ie):
    assert is_valid_ie(ie, uf)
    validate_ie(ie, uf.lower())


def _check_digit_changed(ie: str) -> str:
    digits = normalize_ie(ie)
    at = 9 if digits.startswith("P") else len(digits) - 1  # a rural P number ends in a sequence
    return digits[:at] + str((int(digits[at]) + 1) % 10) + digits[at + 1 :]


@pytest.mark.parametrize(("uf", "ie"), [(uf, ie) for uf, ie in PUBLISHED if not ie.startswith("11.094.402")])
def test_a_wrong_check_digit_is_refused(uf, ie):
    wrong = _check_digit_changed(ie)
    assert not is_valid_ie(wrong, uf)
    with pytest.raises(ValidationError) as exc:
        validate_ie(wrong, uf)
    assert uf in exc.value.messages[0]


@pytest.mark.parametrize(
    ("uf", "ie"),
    [
        ("AC", "0200482300112"),  # Acre's numbers start with 01
        ("AL", "250000048"),
        ("AP", "040123459"),
        ("DF", "0130000100109"),
        ("GO", "12.987.654-7"),  # GO starts with 10, 11, 15 or 20-29
        ("MA", "13000038-5"),
        ("MS", "29312345-1"),
        ("PA", "16-999999-5"),
        ("RN", "21.040.040-1"),
        ("RR", "25006628-1"),
        ("TO", "29.04.022783-6"),  # the kind must be 01, 02, 03 or 99
        ("SP", "110.042.490.11"),  # a digit short
        ("MG", "062.307.904/008"),
        ("RJ", "1234567"),
        ("RS", ""),
        ("SP", "0P-1100424.3/002"),  # the P in the wrong place
        ("MG", "P-01100424.3/002"),  # only São Paulo has rural P numbers
        ("BA", "12345-63"),
    ],
)
def test_wrong_formats_are_refused(uf, ie):
    assert not is_valid_ie(ie, uf)


def test_an_ie_belongs_to_its_state():
    assert is_valid_ie("99.999.99-3", "RJ")
    assert not is_valid_ie("99.999.99-3", "SP")
    assert not is_valid_ie("110.042.490.114", "RJ")


def test_isento_is_valid_everywhere_and_a_state_is_needed():
    for uf in RULES:
        assert is_valid_ie(" isento ", uf)
    assert normalize_ie("Isento") == "ISENTO"
    with pytest.raises(ValidationError) as exc:
        validate_ie("110.042.490.114", "")
    assert exc.value.code == "ie_state"
    assert not is_valid_ie("110042490114", "XX")


def test_normalize_keeps_digits_and_the_rural_p():
    assert normalize_ie(" 110.042.490-114 ") == "110042490114"
    assert normalize_ie("p-01100424.3/002") == "P011004243002"


def test_sample_ies_are_valid_in_their_state_only():
    import random

    rng = random.Random(7)
    for uf in RULES:
        ies = {sample_ie(uf, rng) for _i in range(5)}
        assert len(ies) == 5 and all(is_valid_ie(ie, uf) for ie in ies)
