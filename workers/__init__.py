"""The arq worker: ``arq workers.main.WorkerSettings``. Jobs are thin adapters over ocp services."""
