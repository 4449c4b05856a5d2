from .urls_analysis import urlpatterns as analysis_urls
from .urls_improvement import urlpatterns as improvement_urls

app_name = "toolkit"
urlpatterns = [*analysis_urls, *improvement_urls]
