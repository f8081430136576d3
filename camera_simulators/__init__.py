"""Simulated BlackVue and Reolink cameras (aiohttp.web apps) for tests, benchmarks and the demo.

Not shipped by HACS: only ``custom_components/camsync`` is.
"""
