"""The one refusal for a person's input that breaks a rule.

Every service raises `InputError` when what a person gave cannot be accepted, naming the form
field to show the message against, so every view handles a refusal the same way. Faulty files or
settings (a workflow file, the national requirements, the configuration) are not a person's input
and keep errors of their own.

This module sits with the ledger: it imports nothing from the application.
"""

from __future__ import annotations


class InputError(ValueError):
    """The input breaks a rule; the message says what to fix.

    `field` names the form field to show it against, or is None when the refusal is about the
    whole request (a plan no longer in the state the change needs, say).
    """

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message
