"""URL kwargs of implementation stories (see tests/test_permission_walk.py)."""

from .factories_learning import StoryFactory

BUILDERS = {
    "story_id": lambda sw: StoryFactory(project=sw.project).pk,
}
