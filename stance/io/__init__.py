"""Reading and writing: an input's bytes and text (``inputs``), comment records in JSON Lines, CSV and
Parquet (``records``), files that appear whole or resume (``files``), and the output formats with the
columns they write (``outputs``). Nothing here knows a page layout or a model."""
