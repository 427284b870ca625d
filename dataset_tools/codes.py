"""Standard codes: countries (ISO 3166-1 alpha-2), languages (ISO 639-1) and URLs.

The code lists come from pycountry, so they are real lists, not a pattern that lets
``XX`` through. ``NA`` is Namibia: nothing here treats it as a missing value.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated

import pycountry
from pydantic import AfterValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

URL_PATTERN = r"^https?://[^ \t\n\r\f\v\x00/?#]+\.[^ \t\n\r\f\v\x00/?#]+([/?#][^ \t\n\r\f\v\x00]*)?$"
"""An absolute http(s) URL with a dotted host and no whitespace."""


@cache
def country_codes() -> tuple[str, ...]:
    """Every ISO 3166-1 alpha-2 code, sorted."""
    return tuple(sorted(country.alpha_2 for country in pycountry.countries))


@cache
def language_codes() -> tuple[str, ...]:
    """Every ISO 639-1 (two-letter) language code, sorted."""
    return tuple(sorted(lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2")))


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


Country = Annotated[
    str,
    AfterValidator(check_country),
    WithJsonSchema({"type": "string", "enum": list(country_codes())}),
    Field(examples=["TR", "IQ", "SY", "JO"]),
]
Language = Annotated[
    str,
    AfterValidator(check_language),
    WithJsonSchema({"type": "string", "enum": list(language_codes())}),
    Field(examples=["en", "tr", "ar"]),
]
Url = Annotated[str, Field(pattern=URL_PATTERN, max_length=2000)]
