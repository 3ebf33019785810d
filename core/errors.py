"""Domain errors. Each has a stable `code` and the parameters a front end needs
to say what happened in the person's language; core never formats messages."""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused the request; nothing was written."""

    code = "domain_error"

    def __init__(self, **params: object) -> None:
        self.params = params
        detail = ", ".join(f"{k}={v!r}" for k, v in params.items())
        super().__init__(f"{self.code}({detail})" if detail else self.code)


class InputError(DomainError):
    """What a person typed cannot be read as the kind of value asked for."""

    code = "bad_input"

    def __init__(self, code: str | None = None, **params: object) -> None:
        if code:
            self.code = code
        super().__init__(**params)
