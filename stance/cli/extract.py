"""`stance extract PAGE`: the comments of a page or export, one record each, without classifying them."""

from __future__ import annotations

import sys

from stance.cli._app import (
    CacheDirOption,
    ForceOption,
    IgnoreRobotsOption,
    InputFormatOption,
    MoreCommentsOption,
    OutputFormatOption,
    OutputOption,
    PageArgument,
    RefreshOption,
    TextColumnOption,
    TimeoutOption,
    app,
    check_stdout_format,
    echo_log,
    web_client,
)


@app.command()
def extract(
    page: PageArgument,
    output: OutputOption = "-",
    output_format: OutputFormatOption = None,
    input_format: InputFormatOption = None,
    text_column: TextColumnOption = "text",
    force: ForceOption = False,
    cache_dir: CacheDirOption = None,
    refresh: RefreshOption = False,
    ignore_robots: IgnoreRobotsOption = False,
    more_comments: MoreCommentsOption = 500,
    timeout: TimeoutOption = 20.0,
) -> None:
    """Find every comment in PAGE: id, author, time, parent, likes, text and where it came from.

    Deleted and spam comments are kept and flagged in the `status` field; an earlier post a reply
    quotes goes to `quoted` (with `quoted_author` and `quoted_id`), not into its text; `language` is
    detected. The article's title and what was found go to stderr. Examples:

    \b
      stance extract saved_page.html
    \b
      stance extract reddit_thread.json -o comments.jsonl
    \b
      stance extract https://news.ycombinator.com/item?id=8863 -o comments.jsonl
    """
    from stance.extract import read_thread
    from stance.io.files import check_writable
    from stance.io.outputs import (
        check_format,
        format_for_path,
        open_output,
        stdout_for,
        write_comments,
    )

    fmt = output_format or format_for_path(output, is_terminal=output == "-" and sys.stdout.isatty())
    check_format(fmt)
    check_stdout_format(fmt, output)
    if output != "-":
        check_writable(output, force)
    web = web_client(cache_dir, refresh, ignore_robots, more_comments, timeout)
    try:
        thread = read_thread(page, input_format, columns={"text": text_column}, web=web)
    finally:
        web.close()
    if output == "-":
        write_comments(thread.comments, fmt, stdout_for(fmt))
    else:
        with open_output(output, fmt) as stream:
            write_comments(thread.comments, fmt, stream)
    echo_log(f"{page}: {thread.describe()}")
    if thread.broken:
        echo_log(f"warning: {page}: {sum(thread.broken.values())} records are not one whole comment each (no text, or only the page's "
                 "interface words) and no other way of reading the page did better; check them, or report the page")
