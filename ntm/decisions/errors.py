"""The one refusal of decision support, for services, selectors, views and commands alike."""


class DecisionError(ValueError):
    """A refusal with a message for people and, when it concerns one, the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field
