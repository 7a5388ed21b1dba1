# Fixture modules; each area owns its own file under tests/fixtures/.
pytest_plugins = [
    "tests.fixtures.services",
    "tests.fixtures.api",
    "tests.fixtures.catalogue",
    "tests.fixtures.smtp",
    "tests.fixtures.worker",
    "tests.fixtures.stripe",
]
