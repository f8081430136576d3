"""The sync engine: its facade, the archive and its index, transfer, plan and run, prune, lock.

It imports only the standard library and aiohttp, so a plain asyncio program can drive it.
"""
