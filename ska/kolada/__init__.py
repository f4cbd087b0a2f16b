"""Kolada, the key figures of Swedish municipalities and regions: a typed client and a loopback fake."""
