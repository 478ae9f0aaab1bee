import pytest


@pytest.fixture
def immediate_tasks(settings):
    """Run the tasks at once, in the test (the project's default backend queues them in the database)."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
