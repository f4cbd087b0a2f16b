"""The Django cache on Redis, forgiving when Redis cannot be reached.

SKA keeps nothing in the cache that it cannot lose: the accessibility form's per-address limit
of reports an hour (``ska.views.pages``) and, with single sign-on, the identity provider's
discovery document (``ska.oidc``, fetched again when missing). Sessions, login throttling
(django-axes) and everything else live in the database. So while Redis is down, the cache
behaves as an empty cache that keeps nothing, and the page works instead of failing:

- reads miss (``get`` gives the default, ``get_many`` nothing, ``has_key`` False);
- writes are dropped (``set``, ``add``, ``touch``, ``delete`` … answer as if they had worked);
- a counter counts from zero (``incr`` gives ``delta``): a limit built on one lets requests
  through while Redis is down, which for the accessibility form means a report is accepted
  (it is saved in the database) rather than refused.

Every failure is logged as a warning. A short connect and read timeout keeps a request from
waiting long for a Redis that does not answer.
"""

from __future__ import annotations

import functools
import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 1.0


def _forgiving(answer):
    """Wrap a cache method: when Redis fails, log it and give ``answer(*args, **kwargs)``."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except (RedisError, OSError):
                logger.warning("The cache (Redis) cannot be reached: %s answered as an empty cache", method.__name__,
                               exc_info=True)
                return answer(*args, **kwargs)

        return wrapper

    return decorate


def _default(key, default=None, version=None):
    return default


def _counted(key, delta=1, version=None):
    return delta


def _nothing(*args, **kwargs):
    return None


def _true(*args, **kwargs):
    return True


def _false(*args, **kwargs):
    return False


def _empty(*args, **kwargs):
    return {}


def _none_failed(*args, **kwargs):
    return []


class ForgivingRedisCache(RedisCache):
    def __init__(self, server, params):
        options = {"socket_connect_timeout": TIMEOUT_SECONDS, "socket_timeout": TIMEOUT_SECONDS}
        options.update(params.get("OPTIONS", {}))
        super().__init__(server, {**params, "OPTIONS": options})

    get = _forgiving(_default)(RedisCache.get)
    get_many = _forgiving(_empty)(RedisCache.get_many)
    has_key = _forgiving(_false)(RedisCache.has_key)
    add = _forgiving(_true)(RedisCache.add)
    set = _forgiving(_nothing)(RedisCache.set)
    set_many = _forgiving(_none_failed)(RedisCache.set_many)
    touch = _forgiving(_true)(RedisCache.touch)
    delete = _forgiving(_true)(RedisCache.delete)
    delete_many = _forgiving(_nothing)(RedisCache.delete_many)
    incr = _forgiving(_counted)(RedisCache.incr)
    clear = _forgiving(_true)(RedisCache.clear)
