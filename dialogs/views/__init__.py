"""Views of the dialogs app, one module per part."""
