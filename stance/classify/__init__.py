"""The classify run: comments streamed through a classifier (``stream``), from an input file to an
output that appears whole and resumes after a kill (``run``), written as a table, JSONL or CSV
(``writers``)."""
