"""Models of the reports app. It depends on `ska` (organisation, school years), never the reverse."""
