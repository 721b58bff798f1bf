"""Events: the bus that carries them between processes (WebSocket delivery comes later)."""
