"""Browser (end-to-end) tests of the web shell."""
