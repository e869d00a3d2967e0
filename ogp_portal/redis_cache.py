"""Django's Redis cache backend, with one ``redis.Redis`` client per connection pool (issue #20).

Django's ``RedisCacheClient.get_client`` makes a new ``redis.Redis`` for every cache call; its
constructor fills a table of about 170 response callbacks, so each ``get`` paid about 0.15 ms of
Python before its round trip: three or four times on every signed-in page (the session, the
generation, the page's shared fragments). A ``redis.Redis`` is safe to share (it takes a connection
from its pool for each command), so it is made once per pool and kept. Everything else, the pools,
the serializer, the options and the behaviour when Redis is down, is Django's.
"""

from __future__ import annotations

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
