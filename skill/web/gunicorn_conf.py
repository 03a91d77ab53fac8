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


# The master loads the app (skill.web.wsgi) before the workers fork: a configuration error is
# one line from the master and gunicorn exits, and the workers start with the code, the content
# and the libraries already loaded, shared with the master until written (a worker's resident
# memory counts the shared pages it touches, not all of them). Nothing opens a store connection
# or starts a thread while loading: both happen in each worker on its first request.
preload_app = True
