"""URL kwargs of the toolkit's views (see tests/test_permission_walk.py), one module per family."""

from .url_kwargs_analysis import BUILDERS as A
from .url_kwargs_engagement import BUILDERS as E
from .url_kwargs_improvement import BUILDERS as B
from .url_kwargs_learning import BUILDERS as C

BUILDERS = {**A, **B, **C, **E}
