"""Turn a page, a platform export or a comment file into a :class:`~stance.core.thread.Thread`; the
format is sniffed (``formats``), the input read (``reading``) and handed to the parser it names:
``html/``, ``plaintext``, ``exports/`` or ``records``."""

from stance.extract.formats import INPUT_FORMATS, STREAMED_FORMATS, sniff_format
from stance.extract.reading import count_records, open_comments, read_thread

__all__ = ["INPUT_FORMATS", "STREAMED_FORMATS", "count_records", "open_comments", "read_thread", "sniff_format"]
