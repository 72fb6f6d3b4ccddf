# A file with comments only.

# Nothing else.
