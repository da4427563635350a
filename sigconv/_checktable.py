"""The table ``sigconv.properties.check_all`` returns: aligned text and notebook HTML."""

import html

_HEAD = ("check", "holds", "max error", "tolerance")


class CheckTable:
    """Named identity-check results, printable as text and renderable as HTML.

    Index by position or by name; iterate over ``(name, CheckResult)`` pairs.

    Examples
    --------
    >>> from sigconv.properties import CheckResult
    >>> t = CheckTable([("commutative", CheckResult(True, 0.0, 0.0, "exact"))], title="demo")
    >>> print(t)
    demo
    check        holds  max error  tolerance
    -----------  -----  ---------  ---------
    commutative  yes            0          0
    """

    def __init__(self, rows, *, title=""):
        self.rows = list(rows)
        self.title = title

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, key):
        if isinstance(key, str):
            for name, result in self.rows:
                if name == key:
                    return result
            raise KeyError(f"CheckTable: no check named {key!r}; have {[n for n, _ in self.rows]}")
        return self.rows[key]

    @property
    def all_hold(self):
        """True when every check holds."""
        return all(r.holds for _, r in self.rows)

    def _cells(self):
        return [(name, "yes" if r.holds else "NO", f"{r.max_error:.3g}", f"{r.tolerance:.3g}")
                for name, r in self.rows]

    def __str__(self):
        cells = self._cells()
        widths = [max(len(row[i]) for row in [_HEAD] + cells) for i in range(4)]
        fmt = lambda row: "  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                                    for i, (c, w) in enumerate(zip(row, widths))).rstrip()
        lines = ([self.title] if self.title else []) + [fmt(_HEAD), fmt(["-" * w for w in widths])]
        return "\n".join(lines + [fmt(row) for row in cells])

    __repr__ = __str__

    def _repr_html_(self):
        head = "".join(f"<th>{h}</th>" for h in _HEAD + ("detail",))
        body = []
        for (name, holds, err, tol), (_, r) in zip(self._cells(), self.rows):
            color = "#dfd" if r.holds else "#fdd"
            body.append(f'<tr style="background:{color}"><td>{html.escape(name)}</td>'
                        f"<td>{holds}</td><td>{err}</td><td>{tol}</td>"
                        f"<td>{html.escape(r.detail)}</td></tr>")
        caption = f"<caption>{html.escape(self.title)}</caption>" if self.title else ""
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
