"""Reading config files: substitutions, the Python and data-file readers and
the ``_base_`` chain (:func:`~engine.config.parsing.loader.load_file`)."""
