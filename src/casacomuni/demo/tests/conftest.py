from casacomuni.demo.testing import demo, demo_module  # noqa: F401
from casacomuni.territory.testing import italy, italy_module  # noqa: F401
