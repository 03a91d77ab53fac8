"""`python -m bench`: cold start, warm turns, store cost, HTTP load and soak, side by side
with a minimal ask-sdk skill (`bench/baseline/`)."""
