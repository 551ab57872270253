"""The bottom layer every other package shares: the label sets of both tasks (``labels``), a labelled
comment (``labelled``) and the scores (``metrics``). It imports nothing of stance but its errors."""
