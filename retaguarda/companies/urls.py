app_name = "companies"
urlpatterns = []
