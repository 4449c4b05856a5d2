from .urls_analysis import urlpatterns as analysis_urls
from .urls_improvement import urlpatterns as improvement_urls
from .urls_learning import urlpatterns as learning_urls

app_name = "toolkit"
urlpatterns = [*analysis_urls, *improvement_urls, *learning_urls]
