"""One error type for bad input data, carrying where the problem is.

Every loader and the validator raise `DataError`; the CLI prints its message as one line and exits
non-zero. The message always starts with the file (or data source) and names the column and the
frame when the problem has one, so a user can open the file and look.
"""
from __future__ import annotations


class DataError(ValueError):
    def __init__(self, source, problem: str, column: str | None = None, frame: int | None = None):
        self.source = str(source)
        self.problem = problem
        self.column = column
        self.frame = frame
        where = [self.source]
        if column is not None:
            where.append(f"column '{column}'")
        if frame is not None:
            where.append(f"frame {frame}")
        super().__init__(f"{', '.join(where)}: {problem}")

    def __reduce__(self):
        # Worker processes (combos --jobs) send errors back pickled; the default would lose the fields.
        return (type(self), (self.source, self.problem, self.column, self.frame))
