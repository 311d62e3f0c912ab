app_name = "signaling"

urlpatterns: list = []
