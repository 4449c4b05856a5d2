"""The learning loop: implementation stories, the learning library and the PDSA panels."""
