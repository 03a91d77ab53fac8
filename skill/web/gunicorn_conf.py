"""gunicorn settings for the web service, used by the production command
(`gunicorn -c python:skill.web.gunicorn_conf --bind ... skill.web.wsgi:application`) and by
`python -m skill serve`.

Threaded workers (gthread): each worker process answers up to `threads` requests at once, so a
request that waits (a client sending its body slowly, a certificate download, which gives up
after 2 s, or a slow store, bounded by the 6 s request budget) holds one thread, not a worker.
The other threads keep answering Alexa. Requests are verified and answered in a few
milliseconds of CPU, so 2 workers x 16 threads serve far more than one skill's traffic.
"""

worker_class = "gthread"
workers = 2
threads = 16
timeout = 30  # a worker whose main loop stops this long is restarted (threads do not block it)
graceful_timeout = 10
keepalive = 5  # seconds an idle keep-alive connection is kept
control_socket_disable = True  # gunicorn 27 opens one per user by default; not needed here


def on_starting(server: object) -> None:
    """Check the configuration once, in the master, before any worker starts: an error is one
    line and gunicorn exits (each worker checks again as it loads the app)."""
    from skill.web.app import production_app

    production_app()
