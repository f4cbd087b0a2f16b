"""Models of the annualwheel app. It depends on `ska` (organisation, school years), never the reverse."""
