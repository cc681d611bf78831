"""GitHub Actions workflow commands and the job summary.

Annotations use the documented workflow-command syntax
(``::warning file=F,line=L,endLine=E,title=T::message``); property values escape
``%``, CR, LF, ``:`` and ``,`` and messages escape ``%``, CR and LF, so a file name
cannot end the command early or inject another one. GitHub shows a limited number of
annotations per step, so the list is capped and the rest counted in one notice.

The job summary is the Markdown report (:func:`covgap.report.check_report.check_markdown`)
that the CLI appends to ``$GITHUB_STEP_SUMMARY``.
"""

from __future__ import annotations

from covgap.gate import GateResult, Status

__all__ = ["MAX_ANNOTATIONS", "escape_data", "escape_property", "render_annotations"]

MAX_ANNOTATIONS = 50
"""GitHub keeps at most 50 annotations of a job; more are dropped silently."""


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, message: str, **props: str | int) -> str:
    args = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items())
    return (
        f"::{kind} {args}::{escape_data(message)}" if args else f"::{kind}::{escape_data(message)}"
    )


def render_annotations(
    result: GateResult, *, limit: int = MAX_ANNOTATIONS, path_prefix: str = ""
) -> str:
    """One ``::error`` per failing rule's blamed range, one ``::warning`` per uncovered new range.

    Failures come first so the cap never hides them behind warnings. ``path_prefix``
    (``"sub/dir/"``) turns repository paths into paths from the top of the checkout.
    """
    lines: list[str] = []
    for v in result.verdicts:
        if v.status is not Status.FAIL:
            continue
        title = f"covgap: {v.label()}"  # the config key and the words, as the terminal
        if v.rule == "patch" or not v.offenders:
            lines.append(
                _command(
                    "error",
                    f"{v.reason} ({v.summary()})",
                    title=title,
                )
            )
            continue
        for o in v.offenders:
            if not o.ranges:
                lines.append(
                    _command(
                        "error", f"{v.reason}: {o.note}", file=path_prefix + o.path, title=title
                    )
                )
            for first, last in o.ranges:
                lines.append(
                    _command(
                        "error",
                        f"{v.reason}" + (f" ({o.note})" if o.note else ""),
                        file=path_prefix + o.path,
                        line=first,
                        endLine=last,
                        title=title,
                    )
                )
    for o in result.uncovered_new_lines():
        for first, last in o.ranges:
            n = last - first + 1
            what = "line is" if n == 1 else f"{n} lines are"
            lines.append(
                _command(
                    "warning",
                    f"New or changed {what} not covered by any test",
                    file=path_prefix + o.path,
                    line=first,
                    endLine=last,
                    title="Uncovered new code",
                )
            )
    if len(lines) > limit:
        rest = len(lines) - (limit - 1)
        lines = [
            *lines[: limit - 1],
            _command("notice", f"{rest} more covgap annotations not shown"),
        ]
    return "".join(line + "\n" for line in lines)
