app_name = "br_tables"
urlpatterns = []
