from casacomuni.territory.testing import italy, italy_module  # noqa: F401
