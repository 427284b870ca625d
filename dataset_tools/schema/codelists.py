"""Standard codes: countries (ISO 3166-1 alpha-2), languages (ISO 639-1) and URLs.

The code lists come from pycountry, so they are real lists, not a pattern that lets
``XX`` through; :func:`code_lists_module` copies them into the generated
:mod:`~dataset_tools.schema.isocodes`, which validation reads. ``NA`` is Namibia: nothing
here treats it as a missing value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from dataset_tools.schema import isocodes

URL_PATTERN = r"^https?://[^ \t\n\r\f\v\x00/?#]+\.[^ \t\n\r\f\v\x00/?#]+([/?#][^ \t\n\r\f\v\x00]*)?$"
"""An absolute http(s) URL with a dotted host and no whitespace."""


CODE_LISTS = "dataset_tools/schema/isocodes.py"
"""The generated module that holds the code lists, by path from the repository root."""


def country_codes() -> tuple[str, ...]:
    """Every ISO 3166-1 alpha-2 code, sorted: pycountry's, as :mod:`~dataset_tools.schema.isocodes` holds them."""
    return isocodes.COUNTRIES


def language_codes() -> tuple[str, ...]:
    """Every ISO 639-1 (two-letter) language code, sorted: pycountry's, as ``isocodes`` holds them."""
    return isocodes.LANGUAGES


def code_lists_module() -> str:
    """The text of :mod:`dataset_tools.schema.isocodes`, from the pycountry installed now.

    ``dataset-tools schema generate`` writes it, and a test fails when it differs (so a new
    pycountry that changes a list is noticed, as the published schemas' enums are).
    """
    import pycountry  # noqa: PLC0415 - only generating the module reads its databases

    countries = sorted(country.alpha_2 for country in pycountry.countries)
    languages = sorted(lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2"))

    def listed(codes: list[str]) -> str:
        return "(\n" + "".join(f'    "{code}",\n' for code in codes) + ")"

    return (
        '"""ISO 3166-1 alpha-2 country codes and ISO 639-1 language codes, as pycountry lists them.\n\n'
        "Generated from pycountry by `dataset-tools schema generate`; do not edit by hand. The validator\n"
        "reads the lists from here rather than from pycountry's databases (its ISO 639-3 table alone has\n"
        "thousands of entries), and a test fails when pycountry's lists differ from these.\n"
        '"""\n\n'
        f"COUNTRIES = {listed(countries)}\n"
        '"""Every ISO 3166-1 alpha-2 code, sorted."""\n'
        f"LANGUAGES = {listed(languages)}\n"
        '"""Every ISO 639-1 code, sorted."""\n'
    )


def check_country(code: str) -> str:
    """Return ``code`` if it is an ISO 3166-1 alpha-2 code, else raise a pydantic error."""
    if code not in country_codes():
        raise PydanticCustomError(
            "country_unknown", "{code!r} is not an ISO 3166-1 alpha-2 country code", {"code": code}
        )
    return code


def check_language(code: str) -> str:
    """Return ``code`` if it is an ISO 639-1 code, else raise a pydantic error."""
    if code not in language_codes():
        raise PydanticCustomError("language_unknown", "{code!r} is not an ISO 639-1 language code", {"code": code})
    return code


@dataclass(frozen=True)
class CodeList:
    """JSON Schema of a code field: a string from the list ``codes()`` returns (built when a schema is)."""

    codes: Callable[[], tuple[str, ...]]

    def __get_pydantic_json_schema__(self, _core_schema: Any, _handler: Any) -> dict[str, Any]:
        """The schema pydantic writes for the field."""
        return {"type": "string", "enum": list(self.codes())}


Country = Annotated[
    str,
    AfterValidator(check_country),
    CodeList(country_codes),
    Field(examples=["TR", "IQ", "SY", "JO"]),
]
Language = Annotated[
    str,
    AfterValidator(check_language),
    CodeList(language_codes),
    Field(examples=["en", "tr", "ar"]),
]
Url = Annotated[str, StringConstraints(pattern=URL_PATTERN, max_length=2000)]
