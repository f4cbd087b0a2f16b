"""Small text helpers shared by the apps."""


def one_line(text: str) -> str:
    """The text on one line, runs of white space made one space: for an e-mail header or a
    calendar's name, where a line break in a title must not end the line."""
    return " ".join(text.split())
