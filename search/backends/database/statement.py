"""SQL text with its parameters."""


class Statement:
    def __init__(self):
        self.params: list = []
        self.sql = ""

    def param(self, value) -> str:
        self.params.append(value)
        return "%s"
