"""The bottom layer every other package shares: a comment and its thread (``thread``), the label sets of both
tasks (``labels``), a labelled comment (``labelled``), the scores (``metrics``) and the check of a count
(``checks``). It imports nothing of stance but its errors."""
