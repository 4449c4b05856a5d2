"""Improvement tools: driver diagram, PDSA cycles, reflection, sustainability plan."""
