import pytest
from django.core.exceptions import ValidationError

from retaguarda.core.validators import (
    is_valid_cnpj,
    is_valid_cpf,
    is_valid_gtin,
    validate_cep,
    validate_cnpj,
    validate_cpf,
    validate_cpf_or_cnpj,
    validate_gtin,
)


def test_official_alphanumeric_cnpj_example_is_valid():
    assert is_valid_cnpj("12.ABC.345/01DE-35")
    assert is_valid_cnpj("12abc34501de35")  # lower case and no mask are normalised


def test_alphanumeric_cnpj_with_a_changed_check_digit_is_refused():
    assert not is_valid_cnpj("12.ABC.345/01DE-36")
    assert not is_valid_cnpj("12.ABC.345/01DE-25")


def test_numeric_cnpj():
    assert is_valid_cnpj("11.222.333/0001-81")
    assert not is_valid_cnpj("11.222.333/0001-82")
    assert not is_valid_cnpj("00.000.000/0000-00")
    assert not is_valid_cnpj("11.222.333/0001-8")  # too short


def test_cnpj_check_digits_cannot_be_letters():
    assert not is_valid_cnpj("12ABC34501DEA5")


def test_repeated_digit_cpf_is_refused():
    assert not is_valid_cpf("111.111.111-11")
    assert not is_valid_cpf("000.000.000-00")


def test_valid_and_invalid_cpf():
    assert is_valid_cpf("529.982.247-25")
    assert not is_valid_cpf("529.982.247-26")


def test_messages_are_in_portuguese():
    with pytest.raises(ValidationError) as err:
        validate_cpf("111.111.111-11")
    assert "CPF inválido" in err.value.messages[0]
    with pytest.raises(ValidationError) as err:
        validate_cnpj("12.ABC.345/01DE-36")
    assert "CNPJ inválido" in err.value.messages[0]
    with pytest.raises(ValidationError) as err:
        validate_cep("1234")
    assert "CEP inválido" in err.value.messages[0]


def test_document_dispatches_by_length():
    validate_cpf_or_cnpj("529.982.247-25")
    validate_cpf_or_cnpj("12.ABC.345/01DE-35")
    with pytest.raises(ValidationError):
        validate_cpf_or_cnpj("1234567")


@pytest.mark.parametrize("code", ["96385074", "036000291452", "7891000315507", "17891000315504"])
def test_gtin_lengths_with_right_check_digit(code):
    assert is_valid_gtin(code)
    validate_gtin(code)


@pytest.mark.parametrize("code", ["96385075", "7891000315508", "789100031550", "abc", ""])
def test_gtin_with_wrong_digit_or_length_is_refused(code):
    assert not is_valid_gtin(code)


def test_sem_gtin_is_accepted():
    validate_gtin("SEM GTIN")


def test_cep():
    validate_cep("01310-100")
    with pytest.raises(ValidationError):
        validate_cep("00000-000")


def test_complete_gives_the_check_digits():
    from retaguarda.core.validators import complete_cnpj, complete_cpf, is_valid_cnpj, is_valid_cpf

    assert complete_cpf("529982247") == "52998224725" and is_valid_cpf(complete_cpf("111444777"))
    assert complete_cnpj("12ABC34501DE") == "12ABC34501DE35" and is_valid_cnpj(complete_cnpj("112223330001"))
