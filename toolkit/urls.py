from .urls_analysis import urlpatterns as analysis_urls

app_name = "toolkit"
urlpatterns = [*analysis_urls]
