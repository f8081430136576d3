"""The sync engine: archive, transfer, plan and run, prune, lock, errors.

It imports only the standard library and aiohttp, so a plain asyncio program can drive it.
"""
