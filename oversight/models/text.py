"""One bound for the free text people type (reasons, notes, assessments): the model, the forms derived from it,
the API's input and the schema all state it, so no request can store megabytes of text."""

FREE_TEXT_MAX_LENGTH = 10_000
