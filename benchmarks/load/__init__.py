"""`make load`: simulated users against gunicorn (`-w 2 --threads 16`) on loopback, with Locust (headless).

`__main__.py` starts the server, builds the request bodies from the app's callback map, runs Locust on
`locustfile.py`, samples the server's memory and prints the report (also `results.json` here).
"""
