"""Models of the dialogs app. It depends on `ska` (organisation, school years), never the reverse."""
