"""Views for implementation tracking; each module is one family of pages."""
