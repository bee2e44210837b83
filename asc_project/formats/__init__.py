"""The project's date formats per language (FORMAT_MODULE_PATH); a language without a module here keeps Django's."""
