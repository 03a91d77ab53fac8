"""gunicorn settings for the web service, used by the production command
(`gunicorn -c python:skill.web.gunicorn_conf --bind ... skill.web.wsgi:application`) and by
`python -m skill serve`.

Threaded workers (gthread): each worker process answers up to `threads` requests at once, so a
request that waits (a client sending its body slowly, a certificate download, which gives up
after 2 s, or a slow store, bounded by the 6 s request budget) holds one thread, not a worker.
The other threads keep answering Alexa. Requests are verified and answered in about a
millisecond of CPU, so 2 workers x 8 threads serve far more than one skill's traffic.

8 threads, not more: a worker runs Python on one core at a time (the GIL), and each SQLite
write lets go of the GIL, so with more threads busy a request waits longer to get it back.
Under load at 32 connections, 16 threads a worker served 0.86 to 0.95 of the hello-world
server's requests a second with 1.07 to 1.26 times its p99; 8 threads, 0.97 to 1.00 and 1.01
to 1.10 (both servers with the same threads; README, Benchmarks).
"""

worker_class = "gthread"
workers = 2
threads = 8
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
