"""Excel in and out of the goal chain: export (``export``), import of check-ins
(``check_in_import``), and safe reading of uploaded files (``upload``)."""
