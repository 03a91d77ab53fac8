"""The production WSGI entry for gunicorn: `skill.web.wsgi:application`."""

from skill.web.app import production_app

application = production_app()
