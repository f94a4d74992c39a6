"""nephrocohort.i18n: language tags, the active language, locale numbers."""

import pytest

from nephrocohort.i18n import active_language, localize_number, normalize_language, use_language


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("es", "es"),
        ("es-CO", "es"),
        ("pt-br", "pt-BR"),
        ("pt_BR", "pt-BR"),
        ("EN", "en"),
        (None, "en"),
    ],
)
def test_language_tags_name_one_of_the_three_languages(tag, expected):
    assert normalize_language(tag) == expected


def test_an_unknown_language_is_refused_with_the_languages_offered():
    with pytest.raises(ValueError, match="en, es, pt-BR"):
        normalize_language("fr")


def test_spanish_and_portuguese_numbers_have_a_decimal_comma():
    # CLDR (Babel): decimal sign "," in es and pt-BR, "." in English.
    assert localize_number("0.003") == "0.003"
    with use_language("es"):
        assert active_language() == "es"
        assert localize_number("25.00") == "25,00"
    with use_language("pt-BR"):
        assert localize_number("-1.75") == "-1,75"
    assert active_language() == "en"


def test_whole_numbers_are_grouped_as_each_language_writes_them():
    from nephrocohort.i18n import format_integer

    # CLDR (Babel): "," groups in English, "." in es and pt-BR; Spanish groups from five
    # digits on (minimum grouping digits 2), Portuguese from four.
    assert format_integer(12345) == "12,345"
    with use_language("es"):
        assert (format_integer(1234), format_integer(12345)) == ("1234", "12.345")
    with use_language("pt-BR"):
        assert format_integer(1234) == "1.234"


def test_format_decimal_rounds_then_writes_the_decimal_sign():
    from nephrocohort.i18n import format_decimal

    assert format_decimal(2.25, 1) == "2.2"  # Python's round-half-even of the binary value
    with use_language("pt-BR"):
        assert format_decimal(2.5, 1) == "2,5"
