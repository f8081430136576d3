"""camsync: a verified, resumable local archive of Reolink and BlackVue recordings."""
