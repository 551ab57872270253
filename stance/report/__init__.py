"""`stance report`: a comment section (or many) as one self-contained HTML page — shares, cross-tab,
stance over time and by reply depth, the reply tree, the comments the model is least sure of."""
