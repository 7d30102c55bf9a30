"""The newsflow page inside the Airflow UI (see app.py)."""
