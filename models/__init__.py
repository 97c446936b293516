"""TrendForge's records: SQLModel tables (models.tables), the Pydantic contracts passed between
the API, workflows and activities (models.contracts), the names that cross process boundaries
(models.names) and the database engine helpers (models.db)."""
