"""Camera clients (BlackVue, Reolink) that follow the protocol in ``base``."""
