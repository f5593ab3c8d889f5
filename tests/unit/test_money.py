import pytest

from domain.money import MAX_AMOUNT, MoneyError, MoneyParseError, format_rupiah, parse_rupiah


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (1_250_000, "Rp 1.250.000"),
        (0, "Rp 0"),
        (999, "Rp 999"),
        (1_000, "Rp 1.000"),
        (97_000, "Rp 97.000"),
        (MAX_AMOUNT, "Rp 1.000.000.000"),
        (-5_000, "-Rp 5.000"),
    ],
)
def test_format_rupiah_groups_thousands_with_dots(amount: int, expected: str) -> None:
    assert format_rupiah(amount) == expected


def test_format_rupiah_refuses_a_float() -> None:
    with pytest.raises(TypeError):
        format_rupiah(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1250000", 1_250_000),
        ("1.250.000", 1_250_000),
        ("Rp 1.250.000", 1_250_000),
        ("Rp1.250.000", 1_250_000),
        ("Rp. 1.250.000", 1_250_000),
        ("rp.1.250.000", 1_250_000),
        ("RP 1.250.000", 1_250_000),
        ("  Rp 1.250.000  ", 1_250_000),
        ("Rp 50.000,-", 50_000),
        ("1.250.000,00", 1_250_000),
        ("1250000,0", 1_250_000),
        ("IDR 50.000", 50_000),
        ("50.000 IDR", 50_000),
        ("250rb", 250_000),
        ("250 rb", 250_000),
        ("250ribu", 250_000),
        ("250 RIBU", 250_000),
        ("250k", 250_000),
        ("250K", 250_000),
        ("1,5jt", 1_500_000),
        ("1.5jt", 1_500_000),
        ("1,5 juta", 1_500_000),
        ("2jt", 2_000_000),
        ("2 juta", 2_000_000),
        ("1,25jt", 1_250_000),
        ("Rp 1,5jt", 1_500_000),
        ("0,5k", 500),
        ("1,250jt", 1_250_000),
        ("0", 0),
    ],
)
def test_parse_rupiah_understands_the_forms_people_type(text: str, expected: int) -> None:
    assert parse_rupiah(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", MoneyError.EMPTY),
        ("   ", MoneyError.EMPTY),
        ("abc", MoneyError.NOT_A_NUMBER),
        ("Rp", MoneyError.NOT_A_NUMBER),
        ("-5000", MoneyError.NEGATIVE),
        ("Rp -5.000", MoneyError.NEGATIVE),
        ("-Rp 5.000", MoneyError.NEGATIVE),
        ("-1,5jt", MoneyError.NEGATIVE),
        ("-12,5", MoneyError.NEGATIVE),
        ("--5000", MoneyError.NOT_A_NUMBER),
        ("-abc", MoneyError.NOT_A_NUMBER),
        ("12,5", MoneyError.FRACTION),
        ("1.000,50", MoneyError.FRACTION),
        ("1,2345rb", MoneyError.FRACTION),
        ("1,0000005jt", MoneyError.FRACTION),
        ("1.25", MoneyError.NOT_A_NUMBER),
        ("12.50.000", MoneyError.NOT_A_NUMBER),
        ("1.250.00", MoneyError.NOT_A_NUMBER),
        ("1,250,000", MoneyError.NOT_A_NUMBER),
        ("1.250,000", MoneyError.NOT_A_NUMBER),
        ("1e6", MoneyError.NOT_A_NUMBER),
        ("5000 5000", MoneyError.NOT_A_NUMBER),
        ("1.5.0jt", MoneyError.NOT_A_NUMBER),
        ("1.500rb", MoneyError.AMBIGUOUS),
        ("Rp 2.500 jt", MoneyError.AMBIGUOUS),
        ("jt", MoneyError.NOT_A_NUMBER),
        ("1,5", MoneyError.FRACTION),
        ("Rp 5000 IDR", MoneyError.NOT_A_NUMBER),
        ("5000rp", MoneyError.NOT_A_NUMBER),
        ("٥٠٠٠", MoneyError.NOT_A_NUMBER),
        ("1_000", MoneyError.NOT_A_NUMBER),
        ("1.000.000.001", MoneyError.TOO_LARGE),
        ("2jt" + "0" * 40, MoneyError.NOT_A_NUMBER),
        ("9" * 5000, MoneyError.TOO_LARGE),
    ],
)
def test_parse_rupiah_rejects_with_the_code_that_says_why(text: str, code: MoneyError) -> None:
    with pytest.raises(MoneyParseError) as caught:
        parse_rupiah(text)
    assert caught.value.code is code


def test_parse_rupiah_accepts_exactly_the_maximum() -> None:
    assert parse_rupiah("1.000.000.000") == MAX_AMOUNT
    assert parse_rupiah("1000jt") == MAX_AMOUNT


def test_parse_rupiah_rejects_values_above_a_custom_maximum_and_reports_it() -> None:
    with pytest.raises(MoneyParseError) as caught:
        parse_rupiah("600rb", minimum=10_000, maximum=500_000)
    assert caught.value.code is MoneyError.TOO_LARGE
    assert caught.value.minimum == 10_000
    assert caught.value.maximum == 500_000


def test_parse_rupiah_rejects_values_below_the_minimum() -> None:
    with pytest.raises(MoneyParseError) as caught:
        parse_rupiah("Rp 5.000", minimum=10_000)
    assert caught.value.code is MoneyError.TOO_SMALL
    assert caught.value.minimum == 10_000
    assert caught.value.maximum == MAX_AMOUNT


def test_parse_rupiah_accepts_values_on_both_bounds() -> None:
    assert parse_rupiah("10rb", minimum=10_000, maximum=20_000) == 10_000
    assert parse_rupiah("20.000", minimum=10_000, maximum=20_000) == 20_000


def test_a_money_parse_error_is_a_value_error_whose_message_is_only_the_code() -> None:
    with pytest.raises(ValueError, match=r"^not_a_number$"):
        parse_rupiah("banyak")


def test_parse_rupiah_refuses_inconsistent_bounds_as_a_programming_error() -> None:
    with pytest.raises(ValueError) as caught:
        parse_rupiah("5000", minimum=10, maximum=5)
    assert not isinstance(caught.value, MoneyParseError)
