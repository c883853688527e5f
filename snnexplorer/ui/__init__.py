"""Panel components and HoloViews plots; no model logic here."""
