"""pipeline: parse -> tag -> store across the stages (the only package that imports them all
but the app): bulk import with workers and resume, uploads, tagging, reclassify, training with
the corpus's human labels, and the settings every entry point builds once."""
