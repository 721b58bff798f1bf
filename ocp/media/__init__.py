"""Uploads: storage, processing in workers, and downloads with rights."""
