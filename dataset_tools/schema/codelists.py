"""Standard codes: countries (ISO 3166-1 alpha-2), languages (ISO 639-1) and URLs.

The code lists come from pycountry, so they are real lists, not a pattern that lets
``XX`` through. ``NA`` is Namibia: nothing here treats it as a missing value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

URL_PATTERN = r"^https?://[^ \t\n\r\f\v\x00/?#]+\.[^ \t\n\r\f\v\x00/?#]+([/?#][^ \t\n\r\f\v\x00]*)?$"
"""An absolute http(s) URL with a dotted host and no whitespace."""


@cache
def country_codes() -> tuple[str, ...]:
    """Every ISO 3166-1 alpha-2 code, sorted."""
    import pycountry  # noqa: PLC0415 - its databases load on first use, not when the models are imported

    return tuple(sorted(country.alpha_2 for country in pycountry.countries))


@cache
def language_codes() -> tuple[str, ...]:
    """Every ISO 639-1 (two-letter) language code, sorted."""
    import pycountry  # noqa: PLC0415 - as above

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
