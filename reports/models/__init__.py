"""Models of the reports app. It depends on `ska`, `annualwheel` and `dialogs`, never the reverse.

- ``settings``: per municipality, the cover's logo (with its text alternative).
- ``templates``: the administration's report template per school form (sections, guidance,
  which parts are filled from data).
- ``unit_reports``: a unit's quality report for a school year, its written sections and images,
  and its workflow (draft → submitted → returned / approved, then locked).
- ``documents``: every generated PDF: the job that builds it (queued, running, done, failed,
  with progress) and, once built, the archived file with its checksum and the data snapshot
  it was built from. Building again makes a new version; old versions stay.
"""

from .documents import ReportDocument, ReportKind
from .settings import ReportSettings
from .templates import DataPart, ReportTemplate, TemplateSection
from .unit_reports import ReportSection, SectionImage, UnitReport

__all__ = [
    "DataPart",
    "ReportDocument",
    "ReportKind",
    "ReportSection",
    "ReportSettings",
    "ReportTemplate",
    "SectionImage",
    "TemplateSection",
    "UnitReport",
]
