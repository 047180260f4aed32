"""Running yuebao's Airflow in production mode: the stack's definition, its supervisor, its CLI."""
